// SVG plot writer: axes, grid, bands, flagged ranges, curves, bars and a legend that
// wraps below the plot. Coordinates are written with one decimal: a tenth of a pixel is
// below what a screen or printer shows and keeps reports small.
#include "roomcal/report/svg_plot.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "roomcal/core/format.hpp"

namespace roomcal::report {
namespace {

constexpr double margin_left = 66.0;
constexpr double margin_right = 24.0;
constexpr double margin_top = 38.0;
constexpr double margin_bottom = 50.0;
constexpr double legend_row_height = 20.0;
// Average advance of a 12 px sans-serif character: enough to lay out legend entries.
constexpr double legend_char_width = 6.8;
constexpr const char* font_family = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";
constexpr const char* band_colour = "#56B4E9";
constexpr const char* flag_colour = "#E69F00";

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf == std::string("-0.0") ? "0.0" : buf;
}

std::string attr(const std::string& name, double v) { return " " + name + "=\"" + num(v) + "\""; }

// Typographic minus for negative tick labels.
std::string axis_number(double v) {
    std::string s = fmt(std::abs(v) < 1e-12 ? 0.0 : v, 6);
    if (!s.empty() && s[0] == '-') s = "\u2212" + s.substr(1);
    return s;
}

std::size_t code_points(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

double nice_step(double span, int max_ticks) {
    const double raw = span / std::max(1, max_ticks);
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * mag >= raw * (1.0 - 1e-9)) return m * mag;
    return 10.0 * mag;
}

bool usable_x(double x, bool log_x) { return std::isfinite(x) && (!log_x || x > 0.0); }

struct Extent {
    double lo = std::numeric_limits<double>::infinity();
    double hi = -std::numeric_limits<double>::infinity();
    void add(double v) {
        if (!std::isfinite(v)) return;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    bool empty() const { return !(lo <= hi); }
};

AxisRange auto_x_range(const Plot& p) {
    Extent e;
    for (const auto& c : p.curves)
        for (double x : c.x)
            if (usable_x(x, p.log_x)) e.add(x);
    for (const auto& b : p.bands)
        for (double x : b.x)
            if (usable_x(x, p.log_x)) e.add(x);
    if (e.empty()) return p.log_x ? AxisRange{20.0, 20000.0} : AxisRange{0.0, 1.0};
    if (e.hi <= e.lo) return p.log_x ? AxisRange{e.lo / 2.0, e.hi * 2.0} : AxisRange{e.lo - 1.0, e.hi + 1.0};
    return {e.lo, e.hi};
}

AxisRange auto_y_range(const Plot& p, const AxisRange& x) {
    Extent e;
    auto in_x = [&](double xv) { return p.log_x || !p.categories.empty() ? true : (xv >= x.lo && xv <= x.hi); };
    for (const auto& c : p.curves)
        for (std::size_t i = 0; i < std::min(c.x.size(), c.y.size()); ++i)
            if (usable_x(c.x[i], p.log_x) && in_x(c.x[i])) e.add(c.y[i]);
    for (const auto& b : p.bands)
        for (std::size_t i = 0; i < std::min({b.x.size(), b.lo.size(), b.hi.size()}); ++i)
            if (usable_x(b.x[i], p.log_x) && in_x(b.x[i]) && std::isfinite(b.lo[i]) && std::isfinite(b.hi[i])) {
                e.add(b.lo[i]);
                e.add(b.hi[i]);
            }
    for (const auto& r : p.references) e.add(r.y);
    const bool bars = !p.categories.empty();
    for (const auto& s : p.bars)
        for (double v : s.values) e.add(v);
    if (bars) e.add(0.0);
    if (e.empty()) return {0.0, 1.0};
    if (e.hi - e.lo < 1e-9) {
        e.lo -= 1.0;
        e.hi += 1.0;
    }
    // Bars get headroom for their value labels.
    const double top = bars ? e.hi + 0.12 * (e.hi - e.lo) : e.hi;
    const double step = nice_step(top - e.lo, 8);
    return {std::floor(e.lo / step + 1e-9) * step, std::ceil(top / step - 1e-9) * step};
}

enum class SwatchKind { line, fill, hatch };

struct LegendEntry {
    SwatchKind kind = SwatchKind::line;
    std::string label;
    std::string colour;
    bool dashed = false;
    double width = 1.5;
    double opacity = 1.0;
};

// Path data for runs of usable points; a skipped point ends the run.
std::string polyline_path(const PlotFrame& f, const std::vector<double>& xs, const std::vector<double>& ys) {
    std::string d;
    bool pen_down = false;
    const double y_lo = f.top - 2.0 * f.height, y_hi = f.top + 3.0 * f.height;
    const double x_lo = f.left - 2.0 * f.width, x_hi = f.left + 3.0 * f.width;
    for (std::size_t i = 0; i < std::min(xs.size(), ys.size()); ++i) {
        if (!usable_x(xs[i], f.log_x) || !std::isfinite(ys[i])) {
            pen_down = false;
            continue;
        }
        // Far-off points are pulled in; the clip path hides them, and the numbers stay printable.
        const double px = std::clamp(f.x_px(xs[i]), x_lo, x_hi);
        const double py = std::clamp(f.y_px(ys[i]), y_lo, y_hi);
        d += (pen_down ? "L" : "M") + num(px) + " " + num(py);
        pen_down = true;
    }
    return d;
}

std::string band_path(const PlotFrame& f, const Band& b) {
    std::string d;
    const std::size_t n = std::min({b.x.size(), b.lo.size(), b.hi.size()});
    const double y_lo = f.top - 2.0 * f.height, y_hi = f.top + 3.0 * f.height;
    std::size_t i = 0;
    while (i < n) {
        auto ok = [&](std::size_t k) {
            return usable_x(b.x[k], f.log_x) && std::isfinite(b.lo[k]) && std::isfinite(b.hi[k]);
        };
        while (i < n && !ok(i)) ++i;
        std::size_t j = i;
        while (j < n && ok(j)) ++j;
        if (j - i >= 2) {
            for (std::size_t k = i; k < j; ++k)
                d += (k == i ? "M" : "L") + num(f.x_px(b.x[k])) + " " + num(std::clamp(f.y_px(b.hi[k]), y_lo, y_hi));
            for (std::size_t k = j; k-- > i;)
                d += "L" + num(f.x_px(b.x[k])) + " " + num(std::clamp(f.y_px(b.lo[k]), y_lo, y_hi));
            d += "Z";
        }
        i = j;
    }
    return d;
}

}  // namespace

const std::vector<std::string>& palette() {
    static const std::vector<std::string> colours{"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                                  "#E69F00", "#56B4E9", "#000000"};
    return colours;
}

double PlotFrame::x_px(double v) const {
    const double t = log_x ? std::log(v / x.lo) / std::log(x.hi / x.lo) : (v - x.lo) / (x.hi - x.lo);
    return left + width * t;
}

double PlotFrame::y_px(double v) const { return top + height * (y.hi - v) / (y.hi - y.lo); }

PlotFrame plot_frame(const Plot& p) {
    PlotFrame f;
    f.left = margin_left;
    f.top = margin_top;
    f.width = std::max(50.0, p.width - margin_left - margin_right);
    f.height = std::max(50.0, p.height - margin_top - margin_bottom);
    if (!p.categories.empty()) {
        f.log_x = false;
        f.x = {0.0, static_cast<double>(p.categories.size())};
    } else {
        f.log_x = p.log_x;
        f.x = p.x_range ? *p.x_range : auto_x_range(p);
        if (f.log_x && !(f.x.lo > 0.0 && f.x.hi > f.x.lo)) f.x = {20.0, 20000.0};
        if (!f.log_x && !(f.x.hi > f.x.lo)) f.x = {f.x.lo, f.x.lo + 1.0};
    }
    f.y = p.y_range ? *p.y_range : auto_y_range(p, f.x);
    if (!(f.y.hi > f.y.lo)) f.y = {f.y.lo - 1.0, f.y.lo + 1.0};
    return f;
}

std::vector<double> log_axis_labels(double lo_hz, double hi_hz) {
    std::vector<double> out;
    if (!(lo_hz > 0.0 && hi_hz > lo_hz)) return out;
    for (int k = static_cast<int>(std::floor(std::log10(lo_hz))); k <= static_cast<int>(std::ceil(std::log10(hi_hz)));
         ++k)
        for (double m : {1.0, 2.0, 5.0}) {
            const double f = m * std::pow(10.0, k);
            if (f >= lo_hz * (1.0 - 1e-9) && f <= hi_hz * (1.0 + 1e-9)) out.push_back(f);
        }
    return out;
}

std::vector<double> third_octave_grid(double lo_hz, double hi_hz) {
    std::vector<double> out;
    if (!(lo_hz > 0.0 && hi_hz > lo_hz)) return out;
    for (int n = static_cast<int>(std::floor(10.0 * std::log10(lo_hz))); n <= 10.0 * std::log10(hi_hz) + 1.0; ++n) {
        const double f = std::pow(10.0, n / 10.0);
        if (f >= lo_hz && f <= hi_hz) out.push_back(f);
    }
    return out;
}

std::vector<double> linear_ticks(double lo, double hi, int max_ticks) {
    std::vector<double> out;
    if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return out;
    const double step = nice_step(hi - lo, max_ticks);
    for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + 1e-9 * step; k += 1.0) {
        const double v = k * step;
        out.push_back(std::abs(v) < 1e-12 * step ? 0.0 : v);
    }
    return out;
}

std::string frequency_label(double hz) {
    // Nominal names of the base-10 series: 31.62 Hz is "31.5", 3162 Hz is "3.15k".
    auto nominal = [](double v) {
        if (v <= 0.0 || !std::isfinite(v)) return v;
        const double decade = std::pow(10.0, std::floor(std::log10(v) + 1e-9));
        const double mantissa = v / decade;
        for (double m : {1.0, 1.25, 1.6, 2.0, 2.5, 3.15, 4.0, 5.0, 6.3, 8.0, 10.0})
            if (std::abs(mantissa / m - 1.0) < 0.015) return m * decade;
        return v;
    };
    const double v = nominal(hz);
    if (v >= 1000.0) return fmt(v / 1000.0, 3) + "k";
    return fmt(v, 3);
}

std::string escape_xml(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string svg(const Plot& p, const std::string& raw_id) {
    std::string id;
    for (char c : raw_id) id += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
    if (id.empty()) id = "plot";

    const PlotFrame f = plot_frame(p);
    const bool bar_plot = !p.categories.empty();
    const double right = f.left + f.width, bottom = f.top + f.height;

    // Colours first, so the legend and the drawing agree.
    std::size_t next_colour = 0;
    auto pick = [&](const std::string& given) {
        return given.empty() ? palette()[next_colour++ % palette().size()] : given;
    };
    std::vector<std::string> curve_colours, bar_colours;
    for (const auto& s : p.bars) bar_colours.push_back(pick(s.colour));
    for (const auto& c : p.curves) curve_colours.push_back(pick(c.colour));

    std::vector<LegendEntry> legend;
    for (const auto& b : p.bands)
        if (!b.label.empty()) legend.push_back({SwatchKind::fill, b.label, b.colour.empty() ? band_colour : b.colour});
    for (std::size_t i = 0; i < p.flagged.size(); ++i) {
        const auto& label = p.flagged[i].label;
        const bool seen = std::any_of(p.flagged.begin(), p.flagged.begin() + static_cast<std::ptrdiff_t>(i),
                                      [&](const FlaggedRange& r) { return r.label == label; });
        if (!label.empty() && !seen) legend.push_back({SwatchKind::hatch, label, flag_colour});
    }
    for (std::size_t i = 0; i < p.bars.size(); ++i)
        if (!p.bars[i].label.empty()) legend.push_back({SwatchKind::fill, p.bars[i].label, bar_colours[i]});
    for (std::size_t i = 0; i < p.curves.size(); ++i) {
        const auto& c = p.curves[i];
        if (!c.label.empty())
            legend.push_back({SwatchKind::line, c.label, curve_colours[i], c.dashed, c.width, c.opacity});
    }

    // Legend layout: entries left to right, wrapping into rows below the x-axis label.
    struct Placed {
        double x, y;
    };
    std::vector<Placed> placed;
    double cx = f.left, row = 0.0;
    for (const auto& e : legend) {
        const double w = 30.0 + legend_char_width * static_cast<double>(code_points(e.label)) + 18.0;
        if (cx > f.left && cx + w > p.width - margin_right) {
            cx = f.left;
            row += 1.0;
        }
        placed.push_back({cx, p.height + 4.0 + row * legend_row_height});
        cx += w;
    }
    const double total_height = p.height + (legend.empty() ? 0.0 : (row + 1.0) * legend_row_height + 8.0);

    std::ostringstream s;
    s << "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " << p.width << " " << num(total_height)
      << "\" width=\"" << p.width << "\" height=\"" << num(total_height)
      << "\" role=\"img\" class=\"plot\" font-family=\"" << font_family << "\" font-size=\"12\" aria-label=\""
      << escape_xml(p.title) << "\">\n";
    s << "<title>" << escape_xml(p.title) << "</title>\n";
    s << "<defs><clipPath id=\"" << id << "-clip\"><rect" << attr("x", f.left) << attr("y", f.top)
      << attr("width", f.width) << attr("height", f.height) << "/></clipPath>"
      << "<pattern id=\"" << id
      << "-hatch\" patternUnits=\"userSpaceOnUse\" width=\"7\" height=\"7\" patternTransform=\"rotate(45)\">"
      << "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"7\" stroke=\"" << flag_colour
      << "\" stroke-width=\"2\" stroke-opacity=\"0.55\"/></pattern></defs>\n";
    s << "<rect x=\"0\" y=\"0\" width=\"" << p.width << "\" height=\"" << num(total_height)
      << "\" fill=\"#ffffff\"/>\n";
    if (!p.title.empty())
        s << "<text" << attr("x", f.left) << attr("y", 22.0) << " font-size=\"15\" font-weight=\"600\" fill=\"#222\">"
          << escape_xml(p.title) << "</text>\n";

    // Grid and tick labels.
    s << "<g class=\"grid\" stroke-width=\"1\">\n";
    const auto y_ticks = linear_ticks(f.y.lo, f.y.hi, 10);
    for (double v : y_ticks) {
        const double y = f.y_px(v);
        s << "<line" << attr("x1", f.left) << attr("y1", y) << attr("x2", right) << attr("y2", y) << " stroke=\""
          << (bar_plot && v == 0.0 ? "#888" : "#e2e2e2") << "\"/>";
    }
    s << "\n";
    if (bar_plot) {
        for (std::size_t i = 1; i < p.categories.size(); ++i) {
            const double x = f.x_px(static_cast<double>(i));
            s << "<line" << attr("x1", x) << attr("y1", f.top) << attr("x2", x) << attr("y2", bottom)
              << " stroke=\"#f0f0f0\"/>";
        }
    } else if (f.log_x) {
        const auto labels = log_axis_labels(f.x.lo, f.x.hi);
        for (double v : third_octave_grid(f.x.lo, f.x.hi)) {
            const bool labelled =
                std::any_of(labels.begin(), labels.end(), [&](double l) { return std::abs(std::log10(v / l)) < 0.02; });
            if (labelled) continue;
            const double x = f.x_px(v);
            s << "<line" << attr("x1", x) << attr("y1", f.top) << attr("x2", x) << attr("y2", bottom)
              << " stroke=\"#f0f0f0\"/>";
        }
        for (double v : labels) {
            const double x = f.x_px(v);
            const bool decade = std::abs(std::log10(v) - std::round(std::log10(v))) < 1e-9;
            s << "<line" << attr("x1", x) << attr("y1", f.top) << attr("x2", x) << attr("y2", bottom) << " stroke=\""
              << (decade ? "#bdbdbd" : "#dadada") << "\"/>";
        }
    } else {
        for (double v : linear_ticks(f.x.lo, f.x.hi, 12)) {
            const double x = f.x_px(v);
            s << "<line" << attr("x1", x) << attr("y1", f.top) << attr("x2", x) << attr("y2", bottom) << " stroke=\""
              << (v == 0.0 ? "#bdbdbd" : "#e2e2e2") << "\"/>";
        }
    }
    s << "\n</g>\n";

    s << "<g class=\"ticks\" fill=\"#444\">\n";
    for (double v : y_ticks)
        s << "<text" << attr("x", f.left - 6.0) << attr("y", f.y_px(v) + 4.0) << " text-anchor=\"end\">"
          << axis_number(v) << "</text>";
    s << "\n";
    const double tick_y = bottom + 17.0;
    if (bar_plot) {
        for (std::size_t i = 0; i < p.categories.size(); ++i)
            s << "<text" << attr("x", f.x_px(static_cast<double>(i) + 0.5)) << attr("y", tick_y)
              << " text-anchor=\"middle\">" << escape_xml(p.categories[i]) << "</text>";
    } else if (f.log_x) {
        for (double v : log_axis_labels(f.x.lo, f.x.hi))
            s << "<text" << attr("x", f.x_px(v)) << attr("y", tick_y) << " text-anchor=\"middle\">"
              << frequency_label(v) << "</text>";
    } else {
        for (double v : linear_ticks(f.x.lo, f.x.hi, 12))
            s << "<text" << attr("x", f.x_px(v)) << attr("y", tick_y) << " text-anchor=\"middle\">" << axis_number(v)
              << "</text>";
    }
    s << "\n</g>\n";
    if (!p.x_label.empty())
        s << "<text" << attr("x", f.left + f.width / 2.0) << attr("y", bottom + 37.0)
          << " text-anchor=\"middle\" fill=\"#333\">" << escape_xml(p.x_label) << "</text>\n";
    if (!p.y_label.empty()) {
        const double cy = f.top + f.height / 2.0;
        s << "<text x=\"16\"" << attr("y", cy) << " text-anchor=\"middle\" fill=\"#333\" transform=\"rotate(-90 16 "
          << num(cy) << ")\">" << escape_xml(p.y_label) << "</text>\n";
    }

    // Data, clipped to the plotting area.
    s << "<g clip-path=\"url(#" << id << "-clip)\">\n";
    for (const auto& r : p.flagged) {
        if (!usable_x(r.lo, f.log_x) || !usable_x(r.hi, f.log_x) || bar_plot) continue;
        double x0 = std::clamp(f.x_px(std::min(r.lo, r.hi)), f.left, right);
        double x1 = std::clamp(f.x_px(std::max(r.lo, r.hi)), f.left, right);
        if (x1 - x0 < 3.0) {  // a narrow null stays visible
            const double mid = (x0 + x1) / 2.0;
            x0 = mid - 1.5;
            x1 = mid + 1.5;
        }
        s << "<rect" << attr("x", x0) << attr("y", f.top) << attr("width", x1 - x0) << attr("height", f.height)
          << " fill=\"" << flag_colour << "\" fill-opacity=\"0.12\"/>";
        s << "<rect" << attr("x", x0) << attr("y", f.top) << attr("width", x1 - x0) << attr("height", f.height)
          << " fill=\"url(#" << id << "-hatch)\"/>\n";
    }
    for (const auto& b : p.bands) {
        const auto d = band_path(f, b);
        if (!d.empty())
            s << "<path d=\"" << d << "\" fill=\"" << escape_xml(b.colour.empty() ? band_colour : b.colour)
              << "\" fill-opacity=\"0.28\" stroke=\"none\"/>\n";
    }
    if (bar_plot && !p.bars.empty()) {
        const double group = f.width / static_cast<double>(p.categories.size());
        const double inner = group * 0.74;
        const double bar_w = inner / static_cast<double>(p.bars.size());
        const double zero = f.y_px(std::clamp(0.0, f.y.lo, f.y.hi));
        for (std::size_t si = 0; si < p.bars.size(); ++si)
            for (std::size_t ci = 0; ci < std::min(p.categories.size(), p.bars[si].values.size()); ++ci) {
                const double v = p.bars[si].values[ci];
                if (!std::isfinite(v)) continue;
                const double x =
                    f.left + static_cast<double>(ci) * group + (group - inner) / 2.0 + static_cast<double>(si) * bar_w;
                const double y = std::clamp(f.y_px(v), f.top - 1.0, bottom + 1.0);
                s << "<rect" << attr("x", x + 1.0) << attr("y", std::min(y, zero)) << attr("width", bar_w - 2.0)
                  << attr("height", std::abs(zero - y)) << " fill=\"" << escape_xml(bar_colours[si]) << "\"/>";
                if (bar_w >= 26.0)
                    s << "<text" << attr("x", x + bar_w / 2.0) << attr("y", std::min(y, zero) - 4.0)
                      << " text-anchor=\"middle\" font-size=\"10\" fill=\"#333\">" << fmt(v, 2) << "</text>";
                s << "\n";
            }
    }
    for (std::size_t i = 0; i < p.curves.size(); ++i) {
        const auto& c = p.curves[i];
        const auto d = polyline_path(f, c.x, c.y);
        if (d.empty()) continue;
        s << "<path d=\"" << d << "\" fill=\"none\" stroke=\"" << escape_xml(curve_colours[i]) << "\""
          << attr("stroke-width", c.width) << " stroke-linejoin=\"round\" stroke-linecap=\"round\"";
        if (c.opacity < 1.0) s << " stroke-opacity=\"" << fmt(c.opacity, 3) << "\"";
        if (c.dashed) s << " stroke-dasharray=\"7 4\"";
        s << "/>\n";
    }
    for (const auto& r : p.references) {
        if (!std::isfinite(r.y)) continue;
        const double y = f.y_px(r.y);
        s << "<line" << attr("x1", f.left) << attr("y1", y) << attr("x2", right) << attr("y2", y)
          << " stroke=\"#555\" stroke-width=\"1.2\" stroke-dasharray=\"3 3\"/>";
        if (!r.label.empty())
            s << "<text" << attr("x", right - 4.0) << attr("y", y - 4.0)
              << " text-anchor=\"end\" font-size=\"11\" fill=\"#444\">" << escape_xml(r.label) << "</text>";
        s << "\n";
    }
    s << "</g>\n";
    s << "<rect" << attr("x", f.left) << attr("y", f.top) << attr("width", f.width) << attr("height", f.height)
      << " fill=\"none\" stroke=\"#9a9a9a\"/>\n";

    if (!legend.empty()) {
        s << "<g class=\"legend\" fill=\"#222\">\n";
        for (std::size_t i = 0; i < legend.size(); ++i) {
            const auto& e = legend[i];
            const double x = placed[i].x, y = placed[i].y + legend_row_height / 2.0;
            switch (e.kind) {
                case SwatchKind::line:
                    s << "<line" << attr("x1", x) << attr("y1", y) << attr("x2", x + 24.0) << attr("y2", y)
                      << " stroke=\"" << escape_xml(e.colour) << "\"" << attr("stroke-width", std::max(2.0, e.width));
                    if (e.opacity < 1.0) s << " stroke-opacity=\"" << fmt(std::max(0.5, e.opacity), 3) << "\"";
                    if (e.dashed) s << " stroke-dasharray=\"7 4\"";
                    s << "/>";
                    break;
                case SwatchKind::fill:
                    s << "<rect" << attr("x", x) << attr("y", y - 6.0) << " width=\"24\" height=\"12\" fill=\""
                      << escape_xml(e.colour) << "\"" << (p.bars.empty() ? " fill-opacity=\"0.35\"" : "") << "/>";
                    break;
                case SwatchKind::hatch:
                    s << "<rect" << attr("x", x) << attr("y", y - 6.0) << " width=\"24\" height=\"12\" fill=\""
                      << flag_colour << "\" fill-opacity=\"0.12\"/><rect" << attr("x", x) << attr("y", y - 6.0)
                      << " width=\"24\" height=\"12\" fill=\"url(#" << id << "-hatch)\"/>";
                    break;
            }
            s << "<text" << attr("x", x + 30.0) << attr("y", y + 4.0) << ">" << escape_xml(e.label) << "</text>\n";
        }
        s << "</g>\n";
    }
    s << "</svg>\n";
    return s.str();
}

}  // namespace roomcal::report

// The monitor's plot widget on ImGui's ImDrawList: log-frequency or linear x axis, linear y
// axis, bands, curves, legend, hover read-out, wheel zoom, drag pan and double-click home.
#include "roomcal/ui/plot.hpp"

#include <imgui_internal.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <utility>

namespace roomcal::ui {
namespace {

constexpr double no_value = std::numeric_limits<double>::quiet_NaN();

constexpr ImU32 background_colour = IM_COL32(16, 18, 22, 255);
constexpr ImU32 border_colour = IM_COL32(72, 76, 84, 255);
constexpr ImU32 major_grid_colour = IM_COL32(255, 255, 255, 44);
constexpr ImU32 minor_grid_colour = IM_COL32(255, 255, 255, 16);
constexpr ImU32 label_colour = IM_COL32(185, 190, 198, 255);
constexpr ImU32 cursor_colour = IM_COL32(255, 255, 255, 120);
constexpr ImU32 legend_background = IM_COL32(10, 12, 16, 200);
constexpr ImU32 legend_border = IM_COL32(255, 255, 255, 40);

constexpr float dash_on_px = 6.0f;
constexpr float dash_off_px = 4.0f;
// One wheel notch narrows the span to 80 %: fine enough to aim, few enough notches to travel.
constexpr double wheel_zoom_step = 0.8;

// The nominal third-octave centres within a decade (IEC 61260 base-10 series, rounded as
// printed on equipment), and which of them carry the labelled 1-2-5 grid.
constexpr std::array<double, 10> third_octave_mantissas{1.0, 1.25, 1.6, 2.0, 2.5, 3.15, 4.0, 5.0, 6.3, 8.0};
bool is_one_two_five(double m) { return m == 1.0 || m == 2.0 || m == 5.0; }

// `value` with the decimals its resolution `step` needs, trailing zeros dropped, "-0" as "0".
std::string format_number(double value, double step) {
    const double r = std::abs(step);
    const int decimals =
        r > 0.0 && std::isfinite(r) ? static_cast<int>(std::clamp(-std::floor(std::log10(r) + 1e-9), 0.0, 9.0)) : 3;
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    std::string s = buf;
    if (s.find('.') != std::string::npos) {
        while (s.back() == '0') s.pop_back();
        if (s.back() == '.') s.pop_back();
    }
    if (s == "-0") s = "0";
    return s;
}

// "500", "1k", "1.25k", "20k", "1M": frequencies with an SI prefix at `step` resolution.
std::string frequency_text(double hz, double step) {
    if (std::abs(hz) >= 1e6) return format_number(hz / 1e6, step / 1e6) + "M";
    if (std::abs(hz) >= 1e3) return format_number(hz / 1e3, step / 1e3) + "k";
    return format_number(hz, step);
}

// The resolution of `digits` significant digits at `value`.
double read_out_step(double value, int digits) {
    const double magnitude = std::abs(value) > 0.0 ? std::floor(std::log10(std::abs(value))) : 0.0;
    return std::pow(10.0, magnitude - (digits - 1));
}

double interpolate(const std::vector<double>& xs, const std::vector<double>& ys, double x, AxisScale scale) {
    const std::size_t n = std::min(xs.size(), ys.size());
    if (n == 0 || !std::isfinite(x) || x < xs.front() || x > xs[n - 1]) return no_value;
    const auto end = xs.begin() + static_cast<std::ptrdiff_t>(n);
    const std::size_t i = static_cast<std::size_t>(std::upper_bound(xs.begin(), end, x) - xs.begin());
    if (i == n) return ys[n - 1];
    const double x0 = xs[i - 1], x1 = xs[i];
    if (x == x0) return ys[i - 1];
    // Interpolating in log between a 0 Hz (DC) bin and the next would divide by log(0).
    const double t = scale == AxisScale::log && x0 > 0.0 ? std::log(x / x0) / std::log(x1 / x0) : (x - x0) / (x1 - x0);
    return ys[i - 1] + t * (ys[i] - ys[i - 1]);
}

struct AxisLimits {
    double lo, hi;
};

// Keeps one axis of the view usable, in the axis' own scale (log10 for log axes): a span
// between 1e-5 of home (deep zoom, still above double rounding) and a wide zoom-out, not
// further than that zoom-out away from home so the data can always be found again.
AxisLimits clamp_axis(AxisLimits v, AxisLimits home, bool log) {
    const double home_span = home.hi - home.lo;
    if (!std::isfinite(v.lo) || !std::isfinite(v.hi) || !(v.hi > v.lo)) return home;
    const double min_span = home_span * 1e-5;
    const double max_span = log ? home_span + 3.0 : home_span * 20.0;
    const double span = std::clamp(v.hi - v.lo, min_span, max_span);
    const double centre = std::clamp(0.5 * (v.lo + v.hi), home.lo - max_span, home.hi + max_span);
    return {centre - 0.5 * span, centre + 0.5 * span};
}

PlotRange sane_home(const PlotSpec& spec) {
    PlotRange h = spec.home;
    const bool log_x = spec.x_scale == AxisScale::log;
    if (!std::isfinite(h.x_min) || !std::isfinite(h.x_max) || !(h.x_max > h.x_min) || (log_x && !(h.x_min > 0.0))) {
        h.x_min = log_x ? 20.0 : 0.0;
        h.x_max = log_x ? 20000.0 : 1.0;
    }
    if (!std::isfinite(h.y_min) || !std::isfinite(h.y_max) || !(h.y_max > h.y_min)) {
        h.y_min = -30.0;
        h.y_max = 30.0;
    }
    return h;
}

PlotRange clamp_view(const PlotRange& view, const PlotRange& home, bool log_x) {
    const auto to_t = [log_x](double x) { return log_x ? std::log10(x) : x; };
    const auto from_t = [log_x](double t) { return log_x ? std::pow(10.0, t) : t; };
    // A non-positive bound on a log axis becomes NaN here, which clamp_axis sends home.
    const AxisLimits x = clamp_axis({to_t(view.x_min), to_t(view.x_max)}, {to_t(home.x_min), to_t(home.x_max)}, log_x);
    const AxisLimits y = clamp_axis({view.y_min, view.y_max}, {home.y_min, home.y_max}, false);
    return {from_t(x.lo), from_t(x.hi), y.lo, y.hi};
}

// The plotting area on screen and the view it shows; x in the axis' own scale, which for a
// log axis is log2: glibc's log2 is a fast single step where log10 is a log and a multiply,
// and there is one per curve point per frame.
struct Frame {
    ImVec2 min, max;
    bool log_x = true;
    double tx_lo = 0.0, tx_hi = 1.0, y_lo = 0.0, y_hi = 1.0;
    double px_per_tx = 1.0, px_per_y = 1.0;

    Frame(ImVec2 area_min, ImVec2 area_max, const PlotRange& view, bool log)
        : min(area_min),
          max(area_max),
          log_x(log),
          tx_lo(tx(view.x_min)),
          tx_hi(tx(view.x_max)),
          y_lo(view.y_min),
          y_hi(view.y_max),
          px_per_tx((area_max.x - area_min.x) / (tx_hi - tx_lo)),
          px_per_y((area_max.y - area_min.y) / (y_hi - y_lo)) {}

    double tx(double x) const { return log_x ? std::log2(x) : x; }
    double from_tx(double t) const { return log_x ? std::exp2(t) : t; }
    float width() const { return max.x - min.x; }
    float height() const { return max.y - min.y; }
    float screen_x(double x) const { return min.x + static_cast<float>((tx(x) - tx_lo) * px_per_tx); }
    float screen_y(double y) const { return max.y - static_cast<float>((y - y_lo) * px_per_y); }
    double x_at(float px) const { return from_tx(tx_lo + (px - min.x) / px_per_tx); }
    double y_at(float py) const { return y_lo + (max.y - py) / px_per_y; }
    bool usable_x(double x) const { return std::isfinite(x) && (!log_x || x > 0.0); }
    // Far-off points are pulled in before they reach float vertices; the margin keeps the
    // slope of a line leaving the area visually unchanged.
    float clamped_y(double y) const {
        const float margin = 8.0f * height() + 100.0f;
        return std::clamp(screen_y(y), min.y - margin, max.y + margin);
    }
};

// The index range of an ascending x that can reach the view: one point beyond each edge so
// lines leave the area instead of stopping short of it.
std::pair<std::size_t, std::size_t> visible_range(const std::vector<double>& xs, std::size_t n, const Frame& f) {
    const auto end = xs.begin() + static_cast<std::ptrdiff_t>(n);
    const double lo = f.from_tx(f.tx_lo), hi = f.from_tx(f.tx_hi);
    auto first = static_cast<std::size_t>(std::lower_bound(xs.begin(), end, lo) - xs.begin());
    auto last = static_cast<std::size_t>(std::upper_bound(xs.begin(), end, hi) - xs.begin());
    return {first > 0 ? first - 1 : 0, std::min(last + 1, n)};
}

void draw_dashed(ImDrawList* dl, const std::vector<ImVec2>& pts, ImU32 colour, float thickness,
                 std::vector<ImVec2>& dash) {
    bool on = true;
    float remaining = dash_on_px;
    dash.clear();
    dash.push_back(pts[0]);
    for (std::size_t i = 1; i < pts.size(); ++i) {
        const ImVec2 a = pts[i - 1], b = pts[i];
        const float dx = b.x - a.x, dy = b.y - a.y;
        const float length = std::sqrt(dx * dx + dy * dy);
        float pos = 0.0f;
        while (length - pos > remaining) {
            pos += remaining;
            const ImVec2 p(a.x + dx * pos / length, a.y + dy * pos / length);
            dash.push_back(p);
            if (on) dl->AddPolyline(dash.data(), static_cast<int>(dash.size()), colour, 0, thickness);
            dash.clear();
            if (!on) dash.push_back(p);
            on = !on;
            remaining = on ? dash_on_px : dash_off_px;
        }
        remaining -= length - pos;
        if (on) dash.push_back(b);
    }
    if (on && dash.size() >= 2) dl->AddPolyline(dash.data(), static_cast<int>(dash.size()), colour, 0, thickness);
}

void stroke(ImDrawList* dl, const std::vector<ImVec2>& pts, const Curve& c, std::vector<ImVec2>& dash) {
    if (pts.size() == 1) {
        dl->AddCircleFilled(pts[0], std::max(c.thickness, 1.5f), c.colour, 8);
    } else if (pts.size() >= 2) {
        if (c.dashed) {
            draw_dashed(dl, pts, c.colour, c.thickness, dash);
        } else {
            dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), c.colour, 0, c.thickness);
        }
    }
}

// Dense curves (FFT bins at high frequency on a log axis) are reduced to the lowest and
// highest point of each pixel column, in their order: the same picture, bounded vertices.
void draw_curve(ImDrawList* dl, const Frame& f, const Curve& c, std::vector<ImVec2>& pts, std::vector<ImVec2>& dash) {
    const std::size_t n = std::min(c.x.size(), c.y.size());
    if (n == 0) return;
    const auto [first, last] = visible_range(c.x, n, f);
    pts.clear();
    bool in_column = false;
    float column = 0.0f;
    ImVec2 bottom, top;  // of the column on screen
    bool bottom_first = true;
    const auto flush_column = [&] {
        if (!in_column) return;
        const ImVec2 a = bottom_first ? bottom : top, b = bottom_first ? top : bottom;
        pts.push_back(a);
        if (b.y != a.y) pts.push_back(b);
        in_column = false;
    };
    for (std::size_t i = first; i < last; ++i) {
        if (!f.usable_x(c.x[i]) || !std::isfinite(c.y[i])) {
            flush_column();
            stroke(dl, pts, c, dash);
            pts.clear();
            continue;
        }
        const ImVec2 p(f.screen_x(c.x[i]), f.clamped_y(c.y[i]));
        const float col = std::floor(p.x);
        if (in_column && col == column) {
            if (p.y > bottom.y) {
                bottom = p;
                bottom_first = false;
            }
            if (p.y < top.y) {
                top = p;
                bottom_first = true;
            }
            continue;
        }
        flush_column();
        in_column = true;
        column = col;
        bottom = top = p;
        bottom_first = true;
    }
    flush_column();
    stroke(dl, pts, c, dash);
}

// Quads between consecutive points; where lo and hi cross inside a segment the quad would
// be a bow-tie, so it is split at the crossing into two triangles.
void draw_band(ImDrawList* dl, const Frame& f, const Band& b) {
    const std::size_t n = std::min({b.x.size(), b.lo.size(), b.hi.size()});
    if (n < 2) return;
    const auto [first, last] = visible_range(b.x, n, f);
    const auto usable = [&](std::size_t i) {
        return f.usable_x(b.x[i]) && std::isfinite(b.lo[i]) && std::isfinite(b.hi[i]);
    };
    struct Edge {
        float x, hi, lo;
    };
    bool have_prev = false;
    Edge prev{};
    for (std::size_t i = first; i < last; ++i) {
        if (!usable(i)) {
            have_prev = false;
            continue;
        }
        const Edge e{f.screen_x(b.x[i]), f.clamped_y(b.hi[i]), f.clamped_y(b.lo[i])};
        const bool next_usable = i + 1 < last && usable(i + 1);
        // Sub-pixel segments add vertices without adding anything visible.
        if (have_prev && e.x - prev.x < 1.0f && next_usable) continue;
        if (have_prev) {
            const float d0 = prev.lo - prev.hi, d1 = e.lo - e.hi;
            if ((d0 >= 0.0f) == (d1 >= 0.0f) || d0 == 0.0f || d1 == 0.0f) {
                dl->AddQuadFilled({prev.x, prev.hi}, {e.x, e.hi}, {e.x, e.lo}, {prev.x, prev.lo}, b.colour);
            } else {
                const float t = d0 / (d0 - d1);
                const ImVec2 cross(prev.x + t * (e.x - prev.x), prev.hi + t * (e.hi - prev.hi));
                dl->AddTriangleFilled({prev.x, prev.hi}, cross, {prev.x, prev.lo}, b.colour);
                dl->AddTriangleFilled(cross, {e.x, e.hi}, {e.x, e.lo}, b.colour);
            }
        }
        prev = e;
        have_prev = true;
    }
}

ImVec2 text_size(const std::string& s) { return ImGui::CalcTextSize(s.data(), s.data() + s.size()); }

void draw_legend(ImDrawList* dl, const Frame& f, const std::vector<Curve>& curves, const std::vector<Band>& bands) {
    float text_w = 0.0f;
    int rows = 0;
    const auto add_row = [&](const std::string& label) {
        if (label.empty()) return;
        text_w = std::max(text_w, text_size(label).x);
        ++rows;
    };
    for (const auto& c : curves) add_row(c.label);
    for (const auto& b : bands) add_row(b.label);
    if (rows == 0) return;
    const float pad = 6.0f, swatch = 20.0f, row_h = ImGui::GetTextLineHeight() + 2.0f;
    const ImVec2 box_max(f.max.x - 8.0f, f.min.y + 8.0f + 2.0f * pad + row_h * static_cast<float>(rows));
    const ImVec2 box_min(box_max.x - (3.0f * pad + swatch + text_w), f.min.y + 8.0f);
    dl->AddRectFilled(box_min, box_max, legend_background, 3.0f);
    dl->AddRect(box_min, box_max, legend_border, 3.0f);
    float y = box_min.y + pad;
    const float x0 = box_min.x + pad, x1 = x0 + swatch, text_x = x1 + pad;
    for (const auto& c : curves) {
        if (c.label.empty()) continue;
        const float mid = y + 0.5f * row_h;
        if (c.dashed) {
            dl->AddLine({x0, mid}, {x0 + 7.0f, mid}, c.colour, c.thickness);
            dl->AddLine({x1 - 7.0f, mid}, {x1, mid}, c.colour, c.thickness);
        } else {
            dl->AddLine({x0, mid}, {x1, mid}, c.colour, std::max(c.thickness, 2.0f));
        }
        dl->AddText({text_x, y + 1.0f}, label_colour, c.label.data(), c.label.data() + c.label.size());
        y += row_h;
    }
    for (const auto& b : bands) {
        if (b.label.empty()) continue;
        // The band's own alpha is meant for large areas; a small swatch needs more to be seen.
        const ImU32 swatch_colour = (b.colour & ~IM_COL32_A_MASK) | IM_COL32(0, 0, 0, 140);
        dl->AddRectFilled({x0, y + 3.0f}, {x1, y + row_h - 3.0f}, swatch_colour);
        dl->AddText({text_x, y + 1.0f}, label_colour, b.label.data(), b.label.data() + b.label.size());
        y += row_h;
    }
}

// About a pixel's worth of resolution: relative on a log axis (a fourth digit once the view
// spans less than a factor of three), absolute on a linear one.
std::string x_read_out(const Frame& f, double x, const std::string& unit) {
    const double step =
        f.log_x ? read_out_step(x, f.tx_hi - f.tx_lo < std::log2(3.0) ? 4 : 3) : (f.tx_hi - f.tx_lo) / 1000.0;
    if (unit == "Hz" && std::abs(x) >= 1e3) return format_number(x / 1e3, step / 1e3) + " kHz";
    const std::string s = format_number(x, step);
    return unit.empty() ? s : s + " " + unit;
}

// A value with a resolution of about a pixel's worth of the y view, so zooming in shows more.
std::string y_read_out(const Frame& f, double y, const std::string& unit) {
    const std::string s = format_number(y, (f.y_hi - f.y_lo) / 500.0);
    return unit.empty() ? s : s + " " + unit;
}

void draw_tooltip(const Frame& f, double x, const PlotSpec& spec, const std::vector<Curve>& curves,
                  const std::vector<Band>& bands) {
    float label_w = 0.0f;
    for (const auto& c : curves) label_w = std::max(label_w, text_size(c.label).x);
    for (const auto& b : bands) label_w = std::max(label_w, text_size(b.label).x);
    const float value_x = label_w + 2.0f * ImGui::GetStyle().ItemSpacing.x;
    ImGui::BeginTooltip();
    const std::string xs = x_read_out(f, x, spec.x_unit);
    ImGui::TextUnformatted(xs.data(), xs.data() + xs.size());
    for (const auto& c : curves) {
        if (c.label.empty()) continue;
        const double v = curve_value_at(c, x, spec.x_scale);
        const std::string value = std::isfinite(v) ? y_read_out(f, v, spec.y_unit) : "-";
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(c.colour), "%s", c.label.c_str());
        ImGui::SameLine(value_x);
        ImGui::TextUnformatted(value.data(), value.data() + value.size());
    }
    for (const auto& b : bands) {
        if (b.label.empty()) continue;
        const double lo = interpolate(b.x, b.lo, x, spec.x_scale), hi = interpolate(b.x, b.hi, x, spec.x_scale);
        const std::string value = std::isfinite(lo) && std::isfinite(hi)
                                      ? y_read_out(f, lo, "") + " .. " + y_read_out(f, hi, spec.y_unit)
                                      : "-";
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(b.colour | IM_COL32_A_MASK), "%s", b.label.c_str());
        ImGui::SameLine(value_x);
        ImGui::TextUnformatted(value.data(), value.data() + value.size());
    }
    ImGui::EndTooltip();
}

std::vector<Tick> y_ticks(const Frame& f) {
    // A labelled line every 2.5 text lines keeps labels apart at any plot height.
    const int max_ticks = std::max(2, static_cast<int>(f.height() / (2.5f * ImGui::GetTextLineHeight())));
    return linear_ticks(f.y_lo, f.y_hi, max_ticks);
}

std::vector<Tick> x_ticks(const Frame& f) {
    const double lo = f.from_tx(f.tx_lo), hi = f.from_tx(f.tx_hi);
    if (f.log_x) return log_frequency_ticks(lo, hi);
    return linear_ticks(lo, hi, std::max(2, static_cast<int>(f.width() / 90.0f)));
}

std::string with_unit(const std::string& label, const std::string& unit) {
    return unit.empty() ? label : label + " " + unit;
}

// ImGui 1.86 scrolls the window under the mouse inside NewFrame, before any widget runs, so
// a wheel meant to zoom would scroll the page as well. Window flags set after Begin last
// until the next Begin, which is after the next NewFrame: while the plot is hovered, its
// window and those the wheel would bubble up to do not scroll with the mouse.
void keep_wheel_for_plot() {
    for (ImGuiWindow* w = ImGui::GetCurrentWindow(); w != nullptr;
         w = (w->Flags & ImGuiWindowFlags_ChildWindow) != 0 ? w->ParentWindow : nullptr)
        w->Flags |= ImGuiWindowFlags_NoScrollWithMouse;
}

void zoom_axis(double& lo, double& hi, double about, double factor) {
    lo = about - (about - lo) * factor;
    hi = about + (hi - about) * factor;
}

}  // namespace

std::vector<Tick> log_frequency_ticks(double lo, double hi) {
    std::vector<Tick> ticks;
    if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo > 0.0) || !(hi > lo)) return ticks;
    const double decades = std::log10(hi / lo);
    const auto first = static_cast<int>(std::floor(std::log10(lo)));
    const auto last = static_cast<int>(std::floor(std::log10(hi)));
    const auto inside = [&](double v) { return v >= lo * (1.0 - 1e-9) && v <= hi * (1.0 + 1e-9); };
    int majors = 0;
    for (int k = first; k <= last; ++k)
        for (double m : {1.0, 2.0, 5.0}) majors += inside(m * std::pow(10.0, k)) ? 1 : 0;
    if (majors < 2) {
        // Zoomed inside one 1-2-5 step the log grid has nothing to offer: plain steps, in Hz.
        ticks = linear_ticks(lo, hi, 5);
        double step = hi - lo, previous = std::numeric_limits<double>::quiet_NaN();
        for (const auto& t : ticks) {
            if (!t.major) continue;
            if (std::isfinite(previous)) step = std::min(step, t.value - previous);
            previous = t.value;
        }
        for (auto& t : ticks)
            if (t.major) t.label = frequency_text(t.value, step);
        return ticks;
    }
    ticks.reserve(static_cast<std::size_t>(last - first + 1) * third_octave_mantissas.size());
    for (int k = first; k <= last; ++k) {
        const double decade = std::pow(10.0, k);
        for (double m : third_octave_mantissas) {
            const double v = m * decade;
            if (!inside(v)) continue;
            const bool labelled = m == 1.0 || (is_one_two_five(m) && decades <= 9.0);
            // Beyond six decades third-octave lines would merge into a grey wash.
            if (!labelled && !is_one_two_five(m) && decades > 6.0) continue;
            ticks.push_back({v, labelled ? frequency_text(v, 0.01 * v) : std::string{}, labelled});
        }
    }
    return ticks;
}

std::vector<Tick> linear_ticks(double lo, double hi, int max_ticks) {
    std::vector<Tick> ticks;
    if (!std::isfinite(lo) || !std::isfinite(hi) || !(hi > lo)) return ticks;
    max_ticks = std::max(max_ticks, 2);
    const auto count = [&](double step) { return std::floor(hi / step + 1e-9) - std::ceil(lo / step - 1e-9) + 1.0; };
    const double magnitude = std::pow(10.0, std::floor(std::log10((hi - lo) / max_ticks)));
    double step = 10.0 * magnitude;
    int minors_per_major = 2;
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        if (count(m * magnitude) <= max_ticks) {
            step = m * magnitude;
            minors_per_major = m == 5.0 ? 5 : 2;
            break;
        }
    }
    const double minor = step / minors_per_major;
    // Beyond 2^53 steps from zero the grid positions are no longer distinct doubles.
    if (std::max(std::abs(lo), std::abs(hi)) / minor > 9e15) return ticks;
    const auto j_first = static_cast<long long>(std::ceil(lo / minor - 1e-9));
    const auto j_last = static_cast<long long>(std::floor(hi / minor + 1e-9));
    ticks.reserve(static_cast<std::size_t>(j_last - j_first + 1));
    for (long long j = j_first; j <= j_last; ++j) {
        const double v = static_cast<double>(j) * minor;
        const bool major = j % minors_per_major == 0;
        ticks.push_back({v, major ? format_number(v, step) : std::string{}, major});
    }
    return ticks;
}

double curve_value_at(const Curve& curve, double x, AxisScale scale) { return interpolate(curve.x, curve.y, x, scale); }

ImU32 series_colour(std::size_t i) {
    // Okabe & Ito's colour-blind-safe hues, lightened where the originals sink into a dark
    // background, plus a violet and an off-white to reach eight.
    static constexpr std::array<ImU32, 8> palette{IM_COL32(86, 180, 233, 255),  IM_COL32(230, 159, 0, 255),
                                                  IM_COL32(0, 190, 140, 255),   IM_COL32(220, 130, 180, 255),
                                                  IM_COL32(240, 228, 66, 255),  IM_COL32(245, 95, 60, 255),
                                                  IM_COL32(170, 140, 255, 255), IM_COL32(230, 230, 230, 255)};
    return palette[i % palette.size()];
}

bool plot(const char* id, PlotState& state, const PlotSpec& spec, const std::vector<Curve>& curves,
          const std::vector<Band>& bands) {
    const bool log_x = spec.x_scale == AxisScale::log;
    const PlotRange home = sane_home(spec);
    if (!state.initialised) {
        state.view = home;
        state.initialised = true;
    }
    state.view = clamp_view(state.view, home, log_x);

    const ImGuiIO& io = ImGui::GetIO();
    const float width = std::max(ImGui::GetContentRegionAvail().x, 160.0f);
    const float height = std::max(spec.height, 80.0f);
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    ImGui::InvisibleButton(id, ImVec2(width, height));
    const bool item_hovered = ImGui::IsItemHovered();
    const bool item_active = ImGui::IsItemActive();
    if (item_hovered) keep_wheel_for_plot();

    // Layout: y labels left, x labels below, half a line on top for the topmost y label, the x
    // unit in the corner right of the x labels ("20k Hz"). The y label column is at least as
    // wide as "-00 dB" so it does not jitter while zooming.
    const float line_h = ImGui::GetTextLineHeight(), pad = 4.0f;
    const float unit_w = spec.x_unit.empty() ? 0.0f : text_size(spec.x_unit).x + pad;
    const float top = origin.y + 0.5f * line_h + 1.0f, bottom = origin.y + height - line_h - 2.0f * pad;
    float label_w = text_size(with_unit("-00", spec.y_unit)).x;
    for (const auto& t : y_ticks(Frame({origin.x, top}, {origin.x + width, bottom}, state.view, log_x)))
        if (t.major) label_w = std::max(label_w, text_size(with_unit(t.label, spec.y_unit)).x);
    const ImVec2 area_min(std::floor(origin.x + label_w + 2.0f * pad), std::floor(top));
    const ImVec2 area_max(std::floor(origin.x + width - pad - unit_w), std::floor(bottom));
    if (area_max.x - area_min.x < 16.0f || area_max.y - area_min.y < 16.0f) {
        state.hovered = false;
        return false;
    }

    const ImVec2 mouse = io.MousePos;
    const bool in_x = mouse.x >= area_min.x && mouse.x < area_max.x;
    const bool in_y = mouse.y >= area_min.y && mouse.y < area_max.y;
    const bool over_area = item_hovered && in_x && in_y;
    {
        const Frame f(area_min, area_max, state.view, log_x);
        PlotRange& v = state.view;
        if (item_hovered && io.MouseWheel != 0.0f) {
            const double factor = std::pow(wheel_zoom_step, static_cast<double>(io.MouseWheel));
            // Over the axis labels the wheel zooms that axis alone; over the plot, x unless Ctrl.
            const bool over_y_labels = mouse.x < area_min.x && in_y, over_x_labels = mouse.y >= area_max.y && in_x;
            if ((over_area && io.KeyCtrl) || over_y_labels) zoom_axis(v.y_min, v.y_max, f.y_at(mouse.y), factor);
            if ((over_area && !io.KeyCtrl) || over_x_labels) {
                double lo = f.tx_lo, hi = f.tx_hi;
                zoom_axis(lo, hi, f.tx(f.x_at(mouse.x)), factor);
                v.x_min = f.from_tx(lo);
                v.x_max = f.from_tx(hi);
            }
        }
        // The press frame's delta is movement from before the press, not a drag.
        if (item_active && ImGui::IsMouseDown(ImGuiMouseButton_Left) && !ImGui::IsMouseClicked(ImGuiMouseButton_Left) &&
            (io.MouseDelta.x != 0.0f || io.MouseDelta.y != 0.0f)) {
            const double dt = -static_cast<double>(io.MouseDelta.x) / f.px_per_tx;
            const double dy = static_cast<double>(io.MouseDelta.y) / f.px_per_y;
            v.x_min = f.from_tx(f.tx_lo + dt);
            v.x_max = f.from_tx(f.tx_hi + dt);
            v.y_min += dy;
            v.y_max += dy;
        }
        if (item_hovered && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) v = home;
        v = clamp_view(v, home, log_x);
    }

    const Frame f(area_min, area_max, state.view, log_x);
    state.hovered = over_area;
    if (over_area) {
        state.hover_x = f.x_at(mouse.x);
        state.hover_y = f.y_at(mouse.y);
    }

    ImDrawList* dl = ImGui::GetWindowDrawList();
    const std::vector<Tick> xt = x_ticks(f), yt = y_ticks(f);
    dl->AddRectFilled(area_min, area_max, background_colour);
    dl->PushClipRect(area_min, area_max, true);
    // Pixel centres keep one-pixel grid lines sharp instead of smeared over two.
    for (bool major : {false, true}) {
        const ImU32 colour = major ? major_grid_colour : minor_grid_colour;
        for (const auto& t : xt) {
            if (t.major != major) continue;
            const float x = std::floor(f.screen_x(t.value)) + 0.5f;
            dl->AddLine({x, area_min.y}, {x, area_max.y}, colour);
        }
        for (const auto& t : yt) {
            if (t.major != major) continue;
            const float y = std::floor(f.screen_y(t.value)) + 0.5f;
            dl->AddLine({area_min.x, y}, {area_max.x, y}, colour);
        }
    }

    // Anti-aliased fill fringes would overlap between neighbouring quads and show as
    // brighter seams in a translucent band.
    const ImDrawListFlags flags = dl->Flags;
    dl->Flags &= ~ImDrawListFlags_AntiAliasedFill;
    for (const auto& b : bands) draw_band(dl, f, b);
    dl->Flags = flags;

    std::size_t most_points = 0;
    for (const auto& c : curves) most_points = std::max(most_points, std::min(c.x.size(), c.y.size()));
    std::vector<ImVec2> pts, dash;
    pts.reserve(std::min(most_points, static_cast<std::size_t>(4.0f * f.width()) + 8));
    for (const auto& c : curves) draw_curve(dl, f, c, pts, dash);

    if (over_area) {
        const float x = std::floor(mouse.x) + 0.5f;
        dl->AddLine({x, area_min.y}, {x, area_max.y}, cursor_colour);
        for (const auto& c : curves) {
            const double v = curve_value_at(c, state.hover_x, spec.x_scale);
            if (std::isfinite(v) && v >= f.y_lo && v <= f.y_hi)
                dl->AddCircleFilled({mouse.x, f.screen_y(v)}, 3.0f, c.colour, 12);
        }
    }
    draw_legend(dl, f, curves, bands);
    dl->PopClipRect();
    dl->AddRect(area_min, area_max, border_colour);

    for (const auto& t : yt) {
        if (!t.major) continue;
        const std::string s = with_unit(t.label, spec.y_unit);
        const ImVec2 size = text_size(s);
        dl->AddText({area_min.x - pad - size.x, f.screen_y(t.value) - 0.5f * size.y}, label_colour, s.data(),
                    s.data() + s.size());
    }
    // Labels at the ends are pulled inside the axis; a label that would touch the previous
    // one is left out, so a zoomed-out view thins its labels instead of overprinting them.
    float last_right = -std::numeric_limits<float>::infinity();
    const float label_y = area_max.y + pad;
    for (const auto& t : xt) {
        if (!t.major || t.label.empty()) continue;
        const ImVec2 size = text_size(t.label);
        const float left = std::clamp(f.screen_x(t.value) - 0.5f * size.x, area_min.x, area_max.x - size.x);
        if (left < last_right + 2.0f * pad) continue;
        dl->AddText({left, label_y}, label_colour, t.label.data(), t.label.data() + t.label.size());
        last_right = left + size.x;
    }
    if (!spec.x_unit.empty())
        dl->AddText({area_max.x + pad, label_y}, label_colour, spec.x_unit.data(),
                    spec.x_unit.data() + spec.x_unit.size());

    if (over_area) draw_tooltip(f, state.hover_x, spec, curves, bands);
    return state.hovered;
}

}  // namespace roomcal::ui

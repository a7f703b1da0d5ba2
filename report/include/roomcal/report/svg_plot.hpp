// Plots as inline SVG for the HTML reports: frequency responses on a log-frequency axis
// (decades labelled 20, 50, 100 ... 20k, third-octave grid), time plots on a linear axis,
// and grouped bars per category (octave bands). A small model of our own, so a report
// needs no plotting library and no script; non-finite points are never emitted.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace roomcal::report {

struct AxisRange {
    double lo = 0.0;
    double hi = 1.0;
};

// A line through (x, y). A point with a non-finite coordinate (or x <= 0 on a log axis)
// is skipped and breaks the line there.
struct Curve {
    std::string label;  // legend entry; empty: not in the legend
    std::vector<double> x, y;
    std::string colour;  // CSS colour; empty: the next colour of the palette
    bool dashed = false;
    double width = 1.5;
    double opacity = 1.0;
};

// A filled region between lo and hi over x: a spread or confidence band.
struct Band {
    std::string label;
    std::vector<double> x, lo, hi;
    std::string colour;  // empty: a light blue
};

// A span of x drawn tinted and hatched behind the curves, e.g. a null the correction
// leaves alone. Ranges sharing a label share one legend entry.
struct FlaggedRange {
    std::string label;
    double lo = 0.0;
    double hi = 0.0;
};

// A horizontal line across the plot at y, e.g. a limit a value should stay under.
struct ReferenceLine {
    std::string label;
    double y = 0.0;
};

// Grouped bars: one value per category (NaN: no bar for that category).
struct BarSeries {
    std::string label;
    std::vector<double> values;
    std::string colour;  // empty: the next colour of the palette
};

struct Plot {
    std::string title;
    std::string x_label, y_label;
    bool log_x = true;
    std::optional<AxisRange> x_range, y_range;  // unset: from the data
    std::vector<Curve> curves;
    std::vector<Band> bands;
    std::vector<FlaggedRange> flagged;
    std::vector<ReferenceLine> references;
    // Non-empty: a bar plot with these categories along x (log_x and x_range unused).
    std::vector<std::string> categories;
    std::vector<BarSeries> bars;
    int width = 900;  // pixels of the plot proper; the legend adds rows below
    int height = 360;
};

// Okabe & Ito's colour-blind-safe palette, yellow left out (unreadable on white).
const std::vector<std::string>& palette();

// Where values land: the plotting area in pixels and the axis ranges it shows.
struct PlotFrame {
    double left = 0.0, top = 0.0, width = 0.0, height = 0.0;
    AxisRange x, y;
    bool log_x = true;

    double x_px(double x_value) const;
    double y_px(double y_value) const;
};
PlotFrame plot_frame(const Plot& plot);

// Labelled frequencies of a log axis: 1, 2 and 5 times powers of ten within [lo, hi].
std::vector<double> log_axis_labels(double lo_hz, double hi_hz);
// Third-octave grid lines (base-10 series) within [lo, hi].
std::vector<double> third_octave_grid(double lo_hz, double hi_hz);
// Steps of 1, 2 or 5 times a power of ten, at most `max_ticks` within [lo, hi].
std::vector<double> linear_ticks(double lo, double hi, int max_ticks = 10);
// "20", "31.5", "500", "1k", "1.25k", "20k".
std::string frequency_label(double hz);

// & < > " ' as entities, for text and attribute values.
std::string escape_xml(std::string_view text);

// The plot as an <svg> element for inline use in HTML (no XML prolog). `id` prefixes the
// ids of its clip path and hatch pattern, which must be unique within one page.
std::string svg(const Plot& plot, const std::string& id = "plot");

}  // namespace roomcal::report

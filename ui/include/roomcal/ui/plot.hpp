// The monitor's plot widget, drawn on ImGui's ImDrawList (Debian has no ImPlot): a
// log-frequency or linear x axis with decade / third-octave (or "nice" linear) grid and
// labels, a dB (or linear) y axis, several curves with legend and colours, shaded bands
// (confidence, spread), hover read-out, zoom (wheel) and pan (drag), double-click home.
#pragma once

#include <imgui.h>

#include <string>
#include <vector>

namespace roomcal::ui {

enum class AxisScale { linear, log };

struct Curve {
    std::string label;         // in the legend and the hover read-out; empty: neither
    std::vector<double> x, y;  // same length, x ascending
    ImU32 colour = IM_COL32(255, 255, 255, 255);
    float thickness = 1.5f;
    bool dashed = false;  // targets and predictions
};

// A shaded region between lo and hi over x (spread across positions, a confidence interval).
struct Band {
    std::string label;
    std::vector<double> x, lo, hi;
    ImU32 colour = IM_COL32(255, 255, 255, 48);
};

struct PlotRange {
    double x_min = 20.0, x_max = 20000.0;
    double y_min = -30.0, y_max = 30.0;
};

struct PlotSpec {
    AxisScale x_scale = AxisScale::log;  // log: frequency in Hz (labels 20, 50, 100, 1k ...)
    std::string x_unit = "Hz";           // axis title and read-out: "Hz", "ms", "s"
    std::string y_unit = "dB";           // "dB", "dBFS", "LU", "ms"
    PlotRange home;                      // the view a double-click returns to
    float height = 260.0f;               // pixels; the width is what the window offers
};

// What the widget keeps between frames (owned by the App: one per plot on a page).
struct PlotState {
    PlotRange view;
    bool initialised = false;  // false: the next draw starts at spec.home
    // Set while the mouse is over the plotting area (for tests and status lines).
    bool hovered = false;
    double hover_x = 0.0, hover_y = 0.0;
};

// One axis tick: value and its label (empty for minor grid lines).
struct Tick {
    double value = 0.0;
    std::string label;
    bool major = true;
};

// Grid for a log-frequency axis over [lo, hi] Hz: majors at 1-2-5 per decade
// (labelled "20", "100", "1k", "10k"), minors at the other third-octave centres.
std::vector<Tick> log_frequency_ticks(double lo, double hi);
// About `max_ticks` "nice" linear ticks (steps of 1, 2 or 5 × 10^k) covering [lo, hi], with
// unlabelled minor ticks halving the step (fifths for steps of 5).
std::vector<Tick> linear_ticks(double lo, double hi, int max_ticks);

// The value of a curve at x by linear interpolation in the axis' own scale (log x for
// log axes); NaN outside the curve.
double curve_value_at(const Curve& curve, double x, AxisScale scale);

// Draws the plot into the current ImGui window at the cursor, full available width.
// Returns true while the mouse hovers the plotting area. `id` must be unique in the window.
// Mouse: the wheel zooms x about the cursor, Ctrl+wheel zooms y (so does the wheel over the
// y labels); a left drag pans both axes; a double-click returns to spec.home. While the plot
// is hovered its window does not scroll with the wheel.
bool plot(const char* id, PlotState& state, const PlotSpec& spec, const std::vector<Curve>& curves,
          const std::vector<Band>& bands = {});

// The colours the pages use, in order, for curves that have no meaning of their own.
ImU32 series_colour(std::size_t i);

}  // namespace roomcal::ui

// Tests of the plot widget: tick placement and labels, the interpolation behind the hover
// read-out, and the widget driven headless through ImGui's IO (hover, zoom, pan, home).
#include <catch2/catch.hpp>

#include <imgui.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <ctime>
#include <limits>
#include <string>
#include <vector>

#include "roomcal/ui/plot.hpp"
#include "support/imgui_headless.hpp"

using namespace roomcal::ui;

namespace {

const double not_a_number = std::numeric_limits<double>::quiet_NaN();

std::vector<Tick> majors(const std::vector<Tick>& ticks) {
    std::vector<Tick> out;
    std::copy_if(ticks.begin(), ticks.end(), std::back_inserter(out), [](const Tick& t) { return t.major; });
    return out;
}

std::vector<std::string> labels_of(const std::vector<Tick>& ticks) {
    std::vector<std::string> out;
    out.reserve(ticks.size());
    for (const auto& t : ticks) out.push_back(t.label);
    return out;
}

bool has_minor_near(const std::vector<Tick>& ticks, double value) {
    return std::any_of(ticks.begin(), ticks.end(), [&](const Tick& t) {
        return !t.major && t.label.empty() && std::abs(t.value / value - 1.0) < 0.01;
    });
}

// A log-spaced frequency grid over [lo, hi] Hz.
std::vector<double> log_grid(double lo, double hi, int n) {
    std::vector<double> f(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) f[static_cast<std::size_t>(i)] = lo * std::pow(hi / lo, i / double(n - 1));
    return f;
}

Curve response_curve(const std::string& label, ImU32 colour, double level_db, int points = 1000) {
    Curve c;
    c.label = label;
    c.colour = colour;
    c.x = log_grid(20.0, 20000.0, points);
    for (double f : c.x) c.y.push_back(level_db + 6.0 * std::sin(std::log(f)));
    return c;
}

// CPU time of this thread: the cost of drawing, not the machine's other load.
double thread_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

struct Mouse {
    ImVec2 pos{-FLT_MAX, -FLT_MAX};  // ImGui's "no mouse"
    bool left = false;
    float wheel = 0.0f;
    bool ctrl = false;
};

// The plotting area on screen as found from outside, by where the widget reports hover:
// [left, right) x [top, bottom) in whole pixels.
struct Area {
    float left = 0, right = 0, top = 0, bottom = 0;
    float x(double fraction) const { return left + static_cast<float>(fraction) * (right - left); }
    float y(double fraction) const { return top + static_cast<float>(fraction) * (bottom - top); }
};

// Each frame shows the plot in a full-screen undecorated window, like a page of the
// monitor, in a headless ImGui context of its own.
class HeadlessPlot {
public:
    PlotSpec spec;
    PlotState state;
    std::vector<Curve> curves;
    std::vector<Band> bands;
    bool returned = false;
    bool tall_page = false;  // content below the plot makes the window scroll
    float scroll_y = 0.0f;
    ImVec2 item_min, item_max;
    double plot_seconds = 0.0;  // spent inside plot() over all frames

    void frame(const Mouse& mouse = {}) {
        ImGuiIO& io = ImGui::GetIO();
        io.MousePos = mouse.pos;
        io.MouseDown[0] = mouse.left;
        io.MouseWheel = mouse.wheel;
        io.KeyCtrl = mouse.ctrl;
        ImGui::NewFrame();
        ImGui::SetNextWindowPos(ImVec2(0.0f, 0.0f));
        ImGui::SetNextWindowSize(io.DisplaySize);
        ImGui::Begin("plot test", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoSavedSettings);
        item_min = ImGui::GetCursorScreenPos();
        item_max = ImVec2(item_min.x + ImGui::GetContentRegionAvail().x, item_min.y + spec.height);
        const double start = thread_seconds();
        returned = plot("response", state, spec, curves, bands);
        plot_seconds += thread_seconds() - start;
        if (tall_page) ImGui::Dummy(ImVec2(10.0f, 3000.0f));
        scroll_y = ImGui::GetScrollY();
        ImGui::End();
        ImGui::Render();
    }

    bool hovered_at(float x, float y) {
        frame({ImVec2(x, y)});
        return state.hovered;
    }

    // Binary search for the first whole pixel in (from, to] where hover flips from `from`'s.
    int edge(bool horizontal, int from, int to, float across) {
        const auto probe = [&](int p) {
            return horizontal ? hovered_at(static_cast<float>(p), across) : hovered_at(across, static_cast<float>(p));
        };
        const bool at_from = probe(from);
        while (to - from > 1) {
            const int mid = (from + to) / 2;
            if (probe(mid) == at_from)
                from = mid;
            else
                to = mid;
        }
        return to;
    }

    Area find_area() {
        frame();  // the window exists from here on, so the next frames can hover it
        const float cx = 0.5f * (item_min.x + item_max.x), cy = 0.5f * (item_min.y + item_max.y);
        REQUIRE(hovered_at(cx, cy));
        Area a;
        a.left = static_cast<float>(edge(true, static_cast<int>(item_min.x), static_cast<int>(cx), cy));
        a.right = static_cast<float>(edge(true, static_cast<int>(cx), static_cast<int>(item_max.x) - 1, cy));
        a.top = static_cast<float>(edge(false, static_cast<int>(item_min.y), static_cast<int>(cy), cx));
        a.bottom = static_cast<float>(edge(false, static_cast<int>(cy), static_cast<int>(item_max.y) - 1, cx));
        return a;
    }

    static int vertex_count() { return ImGui::GetDrawData()->TotalVtxCount; }

    static std::vector<ImDrawVert> vertices() {
        std::vector<ImDrawVert> out;
        const ImDrawData* d = ImGui::GetDrawData();
        for (int i = 0; i < d->CmdListsCount; ++i)
            for (const ImDrawVert& v : d->CmdLists[i]->VtxBuffer) out.push_back(v);
        return out;
    }

private:
    roomcal::test::ImGuiHeadless imgui_{ImVec2(1280.0f, 800.0f)};
};

double log_span(const PlotRange& r) { return std::log10(r.x_max / r.x_min); }

// The frequency the log axis shows at a fraction of its width.
double log_x_at(const PlotRange& r, double fraction) { return r.x_min * std::pow(r.x_max / r.x_min, fraction); }

}  // namespace

TEST_CASE("log frequency ticks: 1-2-5 majors labelled, third-octave minors between", "[ui][plot]") {
    const auto ticks = log_frequency_ticks(20.0, 20000.0);
    const auto m = majors(ticks);
    const std::vector<double> values{20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000};
    const std::vector<std::string> labels{"20", "50", "100", "200", "500", "1k", "2k", "5k", "10k", "20k"};
    REQUIRE(m.size() == values.size());
    for (std::size_t i = 0; i < m.size(); ++i) {
        CHECK(m[i].value == Approx(values[i]).epsilon(1e-9));
        CHECK(m[i].label == labels[i]);
    }
    for (double f : {25.0, 31.5, 40.0, 63.0, 80.0, 125.0, 160.0, 250.0, 315.0, 630.0, 1250.0, 3150.0, 6300.0, 16000.0})
        CHECK(has_minor_near(ticks, f));
    for (const auto& t : ticks) {
        CHECK(t.value >= 20.0 * (1 - 1e-9));
        CHECK(t.value <= 20000.0 * (1 + 1e-9));
        if (!t.major) CHECK(t.label.empty());
    }
    CHECK(std::is_sorted(ticks.begin(), ticks.end(), [](const Tick& a, const Tick& b) { return a.value < b.value; }));
}

TEST_CASE("log frequency ticks extend by decades and refine inside one step", "[ui][plot]") {
    const auto wide = majors(log_frequency_ticks(2.0, 50000.0));
    const auto label_of = [&](double v) {
        for (const auto& t : wide)
            if (std::abs(t.value / v - 1.0) < 1e-9) return t.label;
        return std::string("(none)");
    };
    CHECK(label_of(2.0) == "2");
    CHECK(label_of(5.0) == "5");
    CHECK(label_of(10.0) == "10");
    CHECK(label_of(50000.0) == "50k");
    CHECK(wide.front().value == Approx(2.0));
    CHECK(wide.back().value == Approx(50000.0));

    const auto sub_hz = majors(log_frequency_ticks(0.5, 5.0));
    REQUIRE(sub_hz.size() == 4);
    CHECK(sub_hz[0].label == "0.5");
    CHECK(sub_hz[3].label == "5");

    // Between 900 Hz and 1.1 kHz the 1-2-5 grid has a single line; plain steps take over.
    const auto narrow = majors(log_frequency_ticks(900.0, 1100.0));
    REQUIRE(narrow.size() >= 3);
    for (const auto& t : narrow) {
        CHECK(t.value >= 900.0);
        CHECK(t.value <= 1100.0);
        CHECK_FALSE(t.label.empty());
    }
    const auto labels = labels_of(narrow);
    CHECK(std::find(labels.begin(), labels.end(), "1k") != labels.end());
    CHECK(std::find(labels.begin(), labels.end(), "1.05k") != labels.end());

    CHECK(log_frequency_ticks(0.0, 100.0).empty());
    CHECK(log_frequency_ticks(100.0, 50.0).empty());
    CHECK(log_frequency_ticks(not_a_number, 50.0).empty());
}

TEST_CASE("linear ticks: nice 1-2-5 steps covering the range", "[ui][plot]") {
    for (int max_ticks : {6, 8, 10, 12}) {
        INFO("max_ticks " << max_ticks);
        const auto ticks = linear_ticks(-30.0, 12.0, max_ticks);
        const auto m = majors(ticks);
        REQUIRE(m.size() >= 3);
        CHECK(static_cast<int>(m.size()) <= max_ticks);
        const double step = m[1].value - m[0].value;
        CHECK((step == Approx(5.0) || step == Approx(10.0)));
        for (std::size_t i = 1; i < m.size(); ++i) CHECK(m[i].value - m[i - 1].value == Approx(step));
        // The ends: no gap of a whole step left uncovered at either side.
        CHECK(m.front().value - -30.0 < step);
        CHECK(12.0 - m.back().value < step);
        CHECK(m.front().value >= -30.0);
        CHECK(m.back().value <= 12.0);
        for (const auto& t : ticks)
            if (!t.major) CHECK(t.label.empty());
    }
    CHECK(labels_of(majors(linear_ticks(-30.0, 12.0, 8))) == std::vector<std::string>{"-30", "-20", "-10", "0", "10"});

    const auto fractional = majors(linear_ticks(0.0, 1.0, 5));
    REQUIRE(fractional.size() == 3);
    CHECK(fractional[1].label == "0.5");
    CHECK(fractional[2].label == "1");

    // Minor lines split each major step evenly.
    const auto ticks = linear_ticks(-30.0, 30.0, 6);
    const auto minor_count = std::count_if(ticks.begin(), ticks.end(), [](const Tick& t) { return !t.major; });
    CHECK(minor_count > 0);
    CHECK(linear_ticks(1.0, 1.0, 5).empty());
    CHECK(linear_ticks(2.0, 1.0, 5).empty());
}

TEST_CASE("curve_value_at interpolates in the axis' own scale, NaN outside", "[ui][plot]") {
    Curve c;
    c.x = {100.0, 1000.0};
    c.y = {-6.0, 0.0};
    const double geometric_mid = std::sqrt(100.0 * 1000.0);  // 316.2 Hz
    CHECK(curve_value_at(c, geometric_mid, AxisScale::log) == Approx(-3.0).margin(1e-9));
    CHECK(curve_value_at(c, geometric_mid, AxisScale::linear) ==
          Approx(-6.0 + 6.0 * (geometric_mid - 100.0) / 900.0).margin(1e-9));
    CHECK(curve_value_at(c, 550.0, AxisScale::linear) == Approx(-3.0).margin(1e-9));
    CHECK(curve_value_at(c, 100.0, AxisScale::log) == -6.0);
    CHECK(curve_value_at(c, 1000.0, AxisScale::log) == 0.0);
    CHECK(std::isnan(curve_value_at(c, 99.0, AxisScale::log)));
    CHECK(std::isnan(curve_value_at(c, 1001.0, AxisScale::log)));
    CHECK(std::isnan(curve_value_at(c, not_a_number, AxisScale::log)));
    CHECK(std::isnan(curve_value_at(Curve{}, 100.0, AxisScale::log)));

    // A straight line in log frequency is reproduced exactly between any two points.
    Curve slope;
    slope.x = log_grid(20.0, 20000.0, 31);
    for (double f : slope.x) slope.y.push_back(20.0 * std::log10(f / 1000.0));
    for (double f : {23.0, 99.0, 1234.5, 17000.0})
        CHECK(curve_value_at(slope, f, AxisScale::log) == Approx(20.0 * std::log10(f / 1000.0)).margin(1e-9));

    // A DC bin at 0 Hz cannot be interpolated in log; the value between falls back to linear.
    Curve dc;
    dc.x = {0.0, 10.0};
    dc.y = {0.0, 10.0};
    CHECK(curve_value_at(dc, 5.0, AxisScale::log) == Approx(5.0));
}

TEST_CASE("series colours: eight distinct, readable on a dark background, cycling", "[ui][plot]") {
    const auto rgb = [](ImU32 c, int shift) { return static_cast<double>((c >> shift) & 0xFF); };
    for (std::size_t i = 0; i < 8; ++i) {
        const ImU32 c = series_colour(i);
        CHECK(series_colour(i + 8) == c);
        CHECK((c & IM_COL32_A_MASK) == IM_COL32_A_MASK);
        const double luminance = (0.2126 * rgb(c, IM_COL32_R_SHIFT) + 0.7152 * rgb(c, IM_COL32_G_SHIFT) +
                                  0.0722 * rgb(c, IM_COL32_B_SHIFT)) /
                                 255.0;
        INFO("colour " << i);
        CHECK(luminance > 0.45);
        for (std::size_t j = 0; j < i; ++j) {
            const ImU32 d = series_colour(j);
            double distance = 0.0;
            for (int shift : {IM_COL32_R_SHIFT, IM_COL32_G_SHIFT, IM_COL32_B_SHIFT})
                distance += std::pow(rgb(c, shift) - rgb(d, shift), 2.0);
            CHECK(std::sqrt(distance) > 80.0);
        }
    }
}

TEST_CASE("plot draws curves and bands headless, breaking lines at NaN", "[ui][plot]") {
    HeadlessPlot ui;
    ui.frame();
    ui.frame();
    const int empty_vertices = HeadlessPlot::vertex_count();
    CHECK(empty_vertices > 0);  // background, grid and labels

    ui.curves = {response_curve("left", series_colour(0), 0.0), response_curve("right", series_colour(1), -6.0)};
    ui.curves[1].dashed = true;
    // A curve with a hole: no line may cross 920 Hz .. 1.08 kHz.
    Curve holed = response_curve("", IM_COL32(1, 2, 3, 255), 6.0);
    for (std::size_t i = 0; i < holed.x.size(); ++i)
        if (holed.x[i] > 900.0 && holed.x[i] < 1100.0) holed.y[i] = not_a_number;
    holed.y[10] = std::numeric_limits<double>::infinity();
    ui.curves.push_back(holed);
    Band spread;
    spread.label = "spread";
    spread.x = log_grid(20.0, 20000.0, 500);
    for (double f : spread.x) {
        // lo and hi cross every few hundred Hz, which must not leave bow-ties.
        spread.lo.push_back(-3.0 + 2.0 * std::sin(f / 300.0));
        spread.hi.push_back(3.0 - 2.0 * std::sin(f / 300.0));
    }
    ui.bands = {spread};

    const Area area = ui.find_area();
    ui.frame();
    const int drawn = HeadlessPlot::vertex_count();
    CHECK(drawn > empty_vertices + 3 * 1000);
    const auto vertices = HeadlessPlot::vertices();
    CHECK(std::all_of(vertices.begin(), vertices.end(),
                      [](const ImDrawVert& v) { return std::isfinite(v.pos.x) && std::isfinite(v.pos.y); }));
    const PlotRange view = ui.state.view;
    const auto screen_x = [&](double f) {
        return area.x(std::log(f / view.x_min) / std::log(view.x_max / view.x_min));
    };
    int holed_vertices = 0, in_hole = 0;
    for (const auto& v : vertices) {
        if ((v.col & ~IM_COL32_A_MASK) != (IM_COL32(1, 2, 3, 0))) continue;
        ++holed_vertices;
        if (v.pos.x > screen_x(920.0) && v.pos.x < screen_x(1080.0)) ++in_hole;
    }
    CHECK(holed_vertices > 1000);
    CHECK(in_hole == 0);
    // Everything the curves draw stays inside the plotting area (the clip rectangle does
    // the rest on the GPU, so check the commands carry it).
    const ImDrawData* d = ImGui::GetDrawData();
    bool clipped_to_area = false;
    for (int i = 0; i < d->CmdListsCount; ++i)
        for (const ImDrawCmd& cmd : d->CmdLists[i]->CmdBuffer)
            clipped_to_area |=
                cmd.ClipRect.x == Approx(area.left).margin(0.5) && cmd.ClipRect.z == Approx(area.right).margin(0.5) &&
                cmd.ClipRect.y == Approx(area.top).margin(0.5) && cmd.ClipRect.w == Approx(area.bottom).margin(0.5);
    CHECK(clipped_to_area);
}

TEST_CASE("hover reads out the frequency and level under the cursor", "[ui][plot]") {
    HeadlessPlot ui;
    ui.curves = {response_curve("left", series_colour(0), 0.0)};
    const Area area = ui.find_area();
    CHECK(area.left > ui.item_min.x + 20.0f);    // room for "-30 dB"
    CHECK(area.bottom < ui.item_max.y - 10.0f);  // room for the frequency labels
    CHECK(area.right - area.left > 1000.0f);

    for (double fraction : {0.05, 0.25, 0.5, 0.9}) {
        INFO("fraction " << fraction);
        // Twice: ImGui sizes a tooltip in its first frame and shows it from the second.
        ui.frame({ImVec2(area.x(fraction), area.y(0.25))});
        ui.frame({ImVec2(area.x(fraction), area.y(0.25))});
        CHECK(ui.state.hovered);
        CHECK(ui.returned);
        CHECK(ui.state.hover_x == Approx(log_x_at(ui.spec.home, fraction)).epsilon(0.005));
        CHECK(ui.state.hover_y == Approx(15.0).margin(0.5));  // a quarter down from +30 dB
        // The read-out comes as a tooltip: a second draw list.
        CHECK(ImGui::GetDrawData()->CmdListsCount >= 2);
    }

    ui.frame({ImVec2(area.x(0.5), area.bottom + 5.0f)});  // over the frequency labels
    CHECK_FALSE(ui.state.hovered);
    CHECK_FALSE(ui.returned);
    ui.frame({ImVec2(area.x(0.5), 700.0f)});  // below the widget
    CHECK_FALSE(ui.state.hovered);
    ui.frame();
    CHECK_FALSE(ui.state.hovered);
}

TEST_CASE("wheel zooms x about the cursor, Ctrl+wheel and the y labels zoom y alone", "[ui][plot]") {
    HeadlessPlot ui;
    const Area area = ui.find_area();
    const ImVec2 at(area.x(0.6), area.y(0.3));
    ui.frame({at});
    const double f_under = ui.state.hover_x, y_under = ui.state.hover_y;
    const PlotRange before = ui.state.view;

    ui.frame({at, false, 1.0f});
    const PlotRange zoomed = ui.state.view;
    CHECK(log_span(zoomed) < 0.9 * log_span(before));
    CHECK(ui.state.hover_x == Approx(f_under).epsilon(0.02));
    CHECK(zoomed.y_min == before.y_min);
    CHECK(zoomed.y_max == before.y_max);

    ui.frame({at, false, -1.0f});
    CHECK(log_span(ui.state.view) == Approx(log_span(before)).epsilon(1e-6));
    CHECK(ui.state.hover_x == Approx(f_under).epsilon(0.02));

    ui.frame({at, false, 2.0f, true});
    const PlotRange y_zoomed = ui.state.view;
    CHECK(y_zoomed.y_max - y_zoomed.y_min < 0.7 * (before.y_max - before.y_min));
    CHECK(ui.state.hover_y == Approx(y_under).margin(0.02 * (before.y_max - before.y_min)));
    CHECK(log_span(y_zoomed) == Approx(log_span(before)).epsilon(1e-6));
    CHECK(ui.state.hover_x == Approx(f_under).epsilon(0.02));

    // Over the y labels the plain wheel zooms y and leaves x alone.
    ui.frame({ImVec2(ui.item_min.x + 4.0f, area.y(0.5)), false, -2.0f});
    CHECK(ui.state.view.y_max - ui.state.view.y_min > y_zoomed.y_max - y_zoomed.y_min);
    CHECK(log_span(ui.state.view) == Approx(log_span(before)).epsilon(1e-6));
}

TEST_CASE("the wheel over a plot zooms it without scrolling the page", "[ui][plot]") {
    HeadlessPlot ui;
    ui.tall_page = true;
    const Area area = ui.find_area();
    const ImVec2 at(area.x(0.5), area.y(0.5));
    ui.frame({at});
    const double span = log_span(ui.state.view);
    ui.frame({at, false, -2.0f});
    CHECK(log_span(ui.state.view) > 1.2 * span);
    CHECK(ui.scroll_y == 0.0f);

    // Away from the plot the wheel scrolls the page as usual.
    const ImVec2 below(at.x, ui.item_max.y + 100.0f);
    ui.frame({below});
    ui.frame({below, false, -2.0f});
    ui.frame({below});
    CHECK(ui.scroll_y > 0.0f);
}

TEST_CASE("drag pans both axes with the content under the mouse, double-click goes home", "[ui][plot]") {
    HeadlessPlot ui;
    const Area area = ui.find_area();
    const ImVec2 start(area.x(0.5), area.y(0.5)), end(start.x - 200.0f, start.y + 40.0f);
    ui.frame({start});
    const double f_grabbed = ui.state.hover_x, y_grabbed = ui.state.hover_y;

    ui.frame({start, true});
    ui.frame({end, true});
    ui.frame({end, true});
    CHECK(ui.state.hover_x == Approx(f_grabbed).epsilon(0.005));
    CHECK(ui.state.hover_y == Approx(y_grabbed).margin(0.2));
    CHECK(ui.state.view.x_min > ui.spec.home.x_min * 1.5);  // dragged left: higher frequencies come in
    CHECK(ui.state.view.y_min > ui.spec.home.y_min + 5.0);  // dragged down: higher levels come in
    CHECK(log_span(ui.state.view) == Approx(log_span(ui.spec.home)).epsilon(1e-6));
    ui.frame({end});

    ui.frame({end, true});
    ui.frame({end});
    ui.frame({end, true});
    ui.frame({end});
    CHECK(ui.state.view.x_min == Approx(ui.spec.home.x_min).epsilon(1e-12));
    CHECK(ui.state.view.x_max == Approx(ui.spec.home.x_max).epsilon(1e-12));
    CHECK(ui.state.view.y_min == Approx(ui.spec.home.y_min).margin(1e-12));
    CHECK(ui.state.view.y_max == Approx(ui.spec.home.y_max).margin(1e-12));
}

TEST_CASE("the view stays usable under extreme zoom and pan", "[ui][plot]") {
    HeadlessPlot ui;
    const Area area = ui.find_area();
    const ImVec2 at(area.x(0.1), area.y(0.5));
    const auto sane = [&] {
        const PlotRange& v = ui.state.view;
        return std::isfinite(v.x_min) && std::isfinite(v.x_max) && v.x_min > 0.0 && v.x_max > v.x_min &&
               std::isfinite(v.y_min) && std::isfinite(v.y_max) && v.y_max > v.y_min;
    };
    for (int i = 0; i < 80; ++i) ui.frame({at, false, -1.0f});
    CHECK(sane());
    CHECK(log_span(ui.state.view) <= log_span(ui.spec.home) + 3.0 + 1e-9);
    for (int i = 0; i < 200; ++i) ui.frame({at, false, 3.0f});
    CHECK(sane());
    CHECK(ui.state.view.x_max / ui.state.view.x_min > 1.0 + 1e-9);
    for (int i = 0; i < 200; ++i) ui.frame({at, false, 3.0f, true});
    CHECK(sane());

    ui.frame({at, true});
    for (int i = 0; i < 50; ++i) ui.frame({ImVec2(at.x + 400.0f * static_cast<float>(i % 2 ? -1 : 1), at.y), true});
    CHECK(sane());

    // A view a page left inverted or non-positive is put back to home rather than drawn.
    ui.state.view = PlotRange{-5.0, 100.0, 10.0, -10.0};
    ui.frame();
    CHECK(sane());
    CHECK(ui.state.view.x_min == Approx(20.0));
    CHECK(ui.state.view.y_max == Approx(30.0));
}

TEST_CASE("a linear time axis maps and reads out in its own unit", "[ui][plot]") {
    HeadlessPlot ui;
    ui.spec.x_scale = AxisScale::linear;
    ui.spec.x_unit = "ms";
    ui.spec.y_unit = "dBFS";
    ui.spec.home = PlotRange{0.0, 500.0, -80.0, 0.0};
    Curve decay;
    decay.label = "decay";
    for (int i = 0; i <= 500; ++i) {
        decay.x.push_back(i);
        decay.y.push_back(-0.12 * i);
    }
    ui.curves = {decay};
    const Area area = ui.find_area();
    ui.frame({ImVec2(area.x(0.25), area.y(0.5))});
    CHECK(ui.state.hovered);
    CHECK(ui.state.hover_x == Approx(125.0).margin(1.0));
    CHECK(ui.state.hover_y == Approx(-40.0).margin(0.5));
    const PlotRange before = ui.state.view;
    ui.frame({ImVec2(area.x(0.25), area.y(0.5)), false, 1.0f});
    CHECK(ui.state.view.x_max - ui.state.view.x_min < 0.9 * (before.x_max - before.x_min));
    CHECK(ui.state.hover_x == Approx(125.0).margin(1.0));
}

TEST_CASE("plot draw time with four 1000-point curves and a band", "[ui][plot]") {
    HeadlessPlot ui;
    for (std::size_t i = 0; i < 4; ++i)
        ui.curves.push_back(response_curve("curve " + std::to_string(i), series_colour(i), -6.0 * double(i)));
    ui.curves[3].dashed = true;
    Band band;
    band.label = "spread";
    band.x = log_grid(20.0, 20000.0, 1000);
    for (double f : band.x) {
        band.lo.push_back(-4.0 + std::sin(std::log(f)));
        band.hi.push_back(4.0 + std::sin(std::log(f)));
    }
    ui.bands = {band};
    const Area area = ui.find_area();
    const int frames = 300;
    ui.plot_seconds = 0.0;
    for (int i = 0; i < frames; ++i) ui.frame({ImVec2(area.x((i % 100) / 100.0), area.y(0.5))});
    const double per_plot_ms = 1e3 * ui.plot_seconds / frames;
    WARN("plot() with 4 x 1000 points, a band, hover and tooltip: " << per_plot_ms << " ms");
    // The aim is about 0.1 ms; the bound leaves room for sanitizer builds and still catches
    // a draw that has gone quadratic or lost its decimation.
    CHECK(per_plot_ms < 2.0);
}

// Tests for the SVG plot writer: log-frequency ticks where the axis puts them, NaN and
// infinite points skipped, text escaped, well-formed output for every kind of plot.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "report/markup_check.hpp"
#include "roomcal/report/svg_plot.hpp"

using namespace roomcal::report;

namespace {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();
constexpr double infinite = std::numeric_limits<double>::infinity();

// x of the tick label whose text is exactly `label`; NaN if absent.
double label_x(const std::string& svg_text, const std::string& label) {
    const auto at = svg_text.find(">" + label + "</text>");
    if (at == std::string::npos) return not_a_number;
    const auto tag = svg_text.rfind("<text", at);
    const auto x = svg_text.find(" x=\"", tag);
    return std::stod(svg_text.substr(x + 4));
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

Plot response_plot() {
    Plot p;
    p.title = "response";
    p.x_label = "frequency, Hz";
    p.y_label = "level, dB";
    p.x_range = AxisRange{20.0, 20000.0};
    p.y_range = AxisRange{-30.0, 10.0};
    return p;
}

}  // namespace

TEST_CASE("log-frequency ticks land a decade apart and are labelled 20 to 20k", "[report][svg]") {
    Plot p = response_plot();
    p.curves.push_back({"flat", {20.0, 20000.0}, {0.0, 0.0}, "", false, 1.5, 1.0});
    const auto text = svg(p);
    const auto f = plot_frame(p);
    REQUIRE(f.width > 700.0);

    // 20 Hz to 20 kHz is three decades: each decade takes a third of the width.
    const double decade = f.width / 3.0;
    const double x100 = label_x(text, "100"), x1k = label_x(text, "1k"), x10k = label_x(text, "10k");
    CHECK(x1k - x100 == Approx(decade).margin(0.1));
    CHECK(x10k - x1k == Approx(decade).margin(0.1));
    CHECK(label_x(text, "20") == Approx(f.left).margin(0.1));
    CHECK(label_x(text, "20k") == Approx(f.left + f.width).margin(0.1));
    // 2 and 5 times a power of ten lie log10(2) and log10(5) of a decade along.
    CHECK(label_x(text, "200") - x100 == Approx(decade * std::log10(2.0)).margin(0.1));
    CHECK(label_x(text, "5k") - x1k == Approx(decade * std::log10(5.0)).margin(0.1));

    const std::vector<double> expected{20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000};
    CHECK(log_axis_labels(20.0, 20000.0) == expected);
    double previous = -1.0;
    for (double hz : expected) {
        const double x = label_x(text, frequency_label(hz));
        CHECK(x > previous);
        previous = x;
    }
    // Third-octave lines: ten per decade, 25.1 Hz to 19.95 kHz (19.95 Hz lies just below 20).
    CHECK(third_octave_grid(20.0, 20000.0).size() == 30);
    CHECK(frequency_label(1000.0 * std::pow(10.0, -1.5)) == "31.5");
    CHECK(frequency_label(1000.0 * std::pow(10.0, 0.1)) == "1.25k");
    CHECK(frequency_label(1000.0 * std::pow(10.0, 0.5)) == "3.15k");
}

TEST_CASE("dB axes step by 1 2 or 5 times a power of ten", "[report][svg]") {
    CHECK(linear_ticks(-42.0, 13.0) == std::vector<double>{-40, -30, -20, -10, 0, 10});
    CHECK(linear_ticks(-12.0, 6.0) == std::vector<double>{-12, -10, -8, -6, -4, -2, 0, 2, 4, 6});
    CHECK(linear_ticks(0.0, 1.2).size() == 7);  // 0, 0.2 ... 1.2
    CHECK(linear_ticks(0.0, 1.2).back() == Approx(1.2));
    CHECK(linear_ticks(5.0, 5.0).empty());

    // Unset ranges come from the data, padded to whole steps.
    Plot p;
    p.log_x = false;
    p.curves.push_back({"", {0.0, 1.0, 2.0}, {-17.0, 3.0, not_a_number}, "", false, 1.5, 1.0});
    const auto f = plot_frame(p);
    CHECK(f.x.lo == 0.0);
    CHECK(f.x.hi == 2.0);
    CHECK(f.y.lo <= -17.0);
    CHECK(f.y.hi >= 3.0);
    CHECK(f.y.hi - f.y.lo <= 25.0);
}

TEST_CASE("non-finite points are skipped and break the line", "[report][svg]") {
    Plot p = response_plot();
    p.curves.push_back({"gappy",
                        {100, 200, 300, 400, 500, -1, 700},
                        {0, 1, not_a_number, 2, 3, 4, infinite},
                        "#123456",
                        false,
                        1.5,
                        1.0});
    p.bands.push_back({"band", {100, 200, 300}, {-1, not_a_number, -1}, {1, 1, 1}, ""});
    p.references.push_back({"nothing", not_a_number});
    const auto text = svg(p);
    INFO(text);
    std::string lower = text;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    CHECK(lower.find("nan") == std::string::npos);
    CHECK(lower.find("inf") == std::string::npos);

    // Two runs: 100-200 and 400-500; 300 (NaN), -1 Hz (not on a log axis) and 700 (infinite) are gone.
    const auto path_at = text.find("stroke=\"#123456\"");
    REQUIRE(path_at != std::string::npos);
    const auto d_from = text.rfind(" d=\"", path_at) + 4;
    const std::string d = text.substr(d_from, text.find('"', d_from) - d_from);
    CHECK(count(d, "M") == 2);
    CHECK(count(d, "L") == 2);
    // A band needs two finite neighbours: none here, so no fill is drawn.
    CHECK(text.find("fill-opacity=\"0.28\"") == std::string::npos);
    CHECK(roomcal::test::markup_problem(text).empty());
}

TEST_CASE("plot text is escaped", "[report][svg]") {
    Plot p = response_plot();
    p.title = "L<R & \"quotes\"";
    p.curves.push_back({"a<b & c>d", {100, 1000}, {0, 0}, "", false, 1.5, 1.0});
    p.flagged.push_back({"null <deep>", 60.0, 70.0});
    const auto text = svg(p, "x\"><script>");
    CHECK(text.find("L&lt;R &amp; &quot;quotes&quot;") != std::string::npos);
    CHECK(text.find("a&lt;b &amp; c&gt;d") != std::string::npos);
    CHECK(text.find("null &lt;deep&gt;") != std::string::npos);
    CHECK(text.find("a<b") == std::string::npos);
    CHECK(text.find("<script") == std::string::npos);
    CHECK(roomcal::test::markup_problem(text).empty());
    CHECK(escape_xml("<&>\"'") == "&lt;&amp;&gt;&quot;&#39;");
}

TEST_CASE("every kind of plot is well-formed SVG", "[report][svg]") {
    Plot freq = response_plot();
    freq.bands.push_back({"spread", {20, 100, 1000, 20000}, {-5, -4, -3, -2}, {1, 2, 3, 4}, ""});
    freq.flagged.push_back({"null", 60.0, 70.0});
    freq.flagged.push_back({"null", 80.0, 81.0});
    for (int i = 0; i < 9; ++i)
        freq.curves.push_back({"position " + std::to_string(i + 1),
                               {20, 200, 2000, 20000},
                               {double(-i), 1, 2, 3},
                               "",
                               i % 2 == 1,
                               1,
                               0.6});

    Plot time;
    time.log_x = false;
    time.x_range = AxisRange{-5.0, 300.0};
    time.curves.push_back({"ETC", {-5, 0, 100, 300}, {-60, 0, -30, -80}, "", false, 1.0, 1.0});

    Plot bars;
    bars.categories = {"63", "125", "250", "500"};
    bars.bars.push_back({"T20", {0.5, not_a_number, 0.4, 0.3}, ""});
    bars.bars.push_back({"T30", {0.6, 0.7, 0.4, 0.3}, ""});
    bars.references.push_back({"0.6 s", 0.6});

    for (const Plot* p : {&freq, &time, &bars}) {
        const auto text = svg(*p);
        INFO(text.substr(0, 400));
        CHECK(roomcal::test::markup_problem(text).empty());
        CHECK(text.rfind("<svg", 0) == 0);
        CHECK(count(text, "<svg") == 1);
    }
    const auto legend = svg(freq);
    // The legend names each labelled thing once; both flagged ranges share one entry.
    CHECK(count(legend, ">null</text>") == 1);
    CHECK(count(legend, ">position 9</text>") == 1);
    // The flagged ranges are drawn (tint and hatch each).
    CHECK(count(legend, "fill=\"url(#plot-hatch)\"") == 3);  // two ranges and the legend swatch

    // One bar per finite value: compared with the same plot holding no values at all.
    Plot no_values = bars;
    for (auto& s : no_values.bars) std::fill(s.values.begin(), s.values.end(), not_a_number);
    const auto bar_text = svg(bars);
    CHECK(count(bar_text, "<rect") - count(svg(no_values), "<rect") == 7);
    for (const char* label : {">63</text>", ">125</text>", ">T30</text>", ">0.6 s</text>"})
        CHECK(bar_text.find(label) != std::string::npos);

    // The checker itself finds what it should.
    CHECK_FALSE(roomcal::test::markup_problem("<svg><g></svg>").empty());
    CHECK_FALSE(roomcal::test::markup_problem("<svg><text>a < b</text></svg>").empty());
    CHECK_FALSE(roomcal::test::markup_problem("<svg><text>a & b</text></svg>").empty());
    CHECK(roomcal::test::markup_problem("<svg><text>a &amp; b</text><rect x=\"1\"/></svg>").empty());
}

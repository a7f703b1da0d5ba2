// Tests for the room report: a virtual living room measured at three positions with a
// biquad correction gives every plot and table; the predicted response after correction
// is the measurement plus the filter's dB; warnings name what a user should act on.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <complex>
#include <string>

#include "report/markup_check.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/correct/target.hpp"
#include "roomcal/dsp/biquad_design.hpp"
#include "roomcal/measure/virtual_room.hpp"
#include "roomcal/report/room_report.hpp"

using namespace roomcal;
using namespace roomcal::report;

namespace {

constexpr std::size_t ir_length = 32768;

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

bool contains(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

bool any_contains(const std::vector<std::string>& texts, const std::string& what) {
    return std::any_of(texts.begin(), texts.end(), [&](const std::string& t) { return contains(t, what); });
}

const std::vector<ParametricFilter> correction_filters{{FilterType::peaking, 58.0, 4.0, -6.0},
                                                       {FilterType::peaking, 1000.0, 1.0, 2.0}};
constexpr double correction_gain_db = -2.5;

Room living_room(int positions, bool with_correction) {
    const auto& spec = measure::find_builtin_room("living-room");
    Room room;
    room.name = "living-room";
    room.metadata["created"] = "2024-11-20";
    for (int p = 0; p < positions; ++p) {
        Measurement m;
        m.position = p + 1;
        m.label = p == 0 ? "listening position" : "";
        m.impulse_response = measure::simulate_impulse_response(
            spec, 0, spec.mic_positions[static_cast<std::size_t>(p)], 48_kHz, ir_length);
        m.timing = "loopback";
        room.channel("L").put(m);
    }
    room.targets["*"] = RoomTarget{"house:+3@100", {}};
    if (with_correction) {
        FilterSet fs;
        fs.sample_rate = 48_kHz;
        fs.preamp_db = correction_gain_db;
        fs.description = "peq, 2 filters, target house:+3@100";
        ChannelFilter cf;
        cf.channel = "L";
        cf.gain_db = correction_gain_db;
        cf.parametric = correction_filters;
        cf.biquads = dsp::design_biquads(correction_filters, fs.sample_rate);
        fs.channels.push_back(cf);
        room.corrections.push_back(fs);
    }
    return room;
}

const Plot* find_plot(const Document& d, const std::string& title) {
    for (const auto& s : d.sections)
        for (const auto& p : s.plots)
            if (p.title == title) return &p;
    return nullptr;
}

const Curve* find_curve(const Plot& p, const std::string& label) {
    for (const auto& c : p.curves)
        if (c.label == label) return &c;
    return nullptr;
}

const Table* find_table(const Document& d, const std::string& title_start) {
    for (const auto& s : d.sections)
        for (const auto& t : s.tables)
            if (t.title.rfind(title_start, 0) == 0) return &t;
    return nullptr;
}

// The filter's magnitude straight from its biquads and gain, independently of the report.
double filter_db(double f) {
    const auto biquads = dsp::design_biquads(correction_filters, 48_kHz);
    std::complex<double> h = db_to_gain(correction_gain_db);
    for (const auto& q : biquads) h *= q.response(Hz(f), 48_kHz);
    return gain_to_db(std::abs(h));
}

}  // namespace

TEST_CASE("a measured and corrected room gives every plot and table", "[report][room_report]") {
    const Room room = living_room(3, true);
    const auto doc = room_document(room, {.source = "rooms/living-room"});
    const auto page = html(doc);
    INFO(page.substr(0, 800));
    CHECK(test::markup_problem(page).empty());

    // Measured response, correction filter, predicted response, ETC, decay bars.
    CHECK(count(page, "<svg") == 5);
    for (const char* title : {"L: measured response", "L: correction filter", "L: predicted response after correction",
                              "L: energy-time curve, position 1 \u00b7 listening position",
                              "L: decay times per octave band, position 1 \u00b7 listening position"}) {
        INFO(title);
        CHECK(find_plot(doc, title) != nullptr);
    }
    // Every curve of every plot is drawn: no plot is empty.
    for (const auto& s : doc.sections)
        for (const auto& p : s.plots) {
            INFO(p.title);
            CHECK((p.curves.size() + p.bars.size()) > 0);
            for (const auto& c : p.curves)
                CHECK(std::count_if(c.y.begin(), c.y.end(), [](double v) { return std::isfinite(v); }) > 10);
        }

    // The parametric filters as set.
    const Table* peq = find_table(doc, "Parametric filters");
    REQUIRE(peq != nullptr);
    REQUIRE(peq->rows.size() == 2);
    CHECK(peq->rows[0] == std::vector<std::string>{"1", "PK peaking", "58 Hz", "4.00", "\u22126.0 dB"});
    CHECK(peq->rows[1][2] == "1000 Hz");
    CHECK(contains(page, "Parametric filters"));

    // Third-octave bands 31.5 Hz to 16 kHz, plus the standard deviation row.
    const Table* bands = find_table(doc, "Deviation from target by third-octave band");
    REQUIRE(bands != nullptr);
    CHECK(bands->rows.size() == 28 + 1);
    CHECK(bands->rows.front()[0] == "31.5 Hz");
    CHECK(bands->rows[27][0] == "16k Hz");
    const Table* spread = find_table(doc, "Standard deviation from target");
    REQUIRE(spread != nullptr);
    CHECK(spread->rows.size() == 3 + 1);

    // The target is drawn and named.
    const auto target = "target: " + correct::parse_target("house:+3@100").describe();
    CHECK(find_curve(*find_plot(doc, "L: measured response"), target) != nullptr);
    CHECK(contains(page, escape_xml(target)));

    // The mic is not calibrated; the correction exists, so no "run roomcal fit".
    CHECK(any_contains(doc.warnings, "No mic calibration"));
    CHECK_FALSE(any_contains(doc.warnings, "roomcal fit --room"));
    CHECK_FALSE(any_contains(doc.warnings, "spatial confidence unknown"));
    CHECK(contains(page, "rooms/living-room"));
    CHECK(contains(page, "peq, 2 filters"));
}

TEST_CASE("the predicted response after correction is the measurement plus the filter", "[report][room_report]") {
    const Room room = living_room(3, true);
    const auto doc = room_document(room);
    const Plot* p = find_plot(doc, "L: predicted response after correction");
    REQUIRE(p != nullptr);
    const Curve* before = find_curve(*p, "measured average (before)");
    const Curve* after = find_curve(*p, "after correction, RMS average");
    REQUIRE(before != nullptr);
    REQUIRE(after != nullptr);
    REQUIRE(before->x == after->x);
    const Plot* fp = find_plot(doc, "L: correction filter");
    REQUIRE(fp != nullptr);
    const Curve& filter = fp->curves.front();

    int checked = 0;
    for (double f : {40.0, 58.0, 100.0, 500.0, 1000.0, 3000.0, 12000.0}) {
        const auto i =
            static_cast<std::size_t>(std::min_element(before->x.begin(), before->x.end(),
                                                      [&](double a, double b) {
                                                          return std::abs(std::log(a / f)) < std::abs(std::log(b / f));
                                                      }) -
                                     before->x.begin());
        INFO("at " << before->x[i] << " Hz");
        CHECK(after->y[i] - before->y[i] == Approx(filter_db(before->x[i])).margin(0.01));
        CHECK(filter.y[i] == Approx(filter_db(before->x[i])).margin(0.01));
        ++checked;
    }
    CHECK(checked == 7);
    // The cut is where it was set.
    CHECK(filter_db(58.0) == Approx(correction_gain_db - 6.0).margin(0.05));

    // The same rule position by position, straight from predict_correction.
    FrequencyResponse a{{100.0, 1000.0}, {-3.0, 1.0}, {}};
    FrequencyResponse b{{100.0, 1000.0}, {-5.0, 4.0}, {}};
    ChannelFilter cf;
    cf.channel = "L";
    cf.gain_db = correction_gain_db;
    cf.biquads = dsp::design_biquads(correction_filters, 48_kHz);
    const auto predicted = predict_correction({a, b}, a, cf, 48_kHz);
    REQUIRE(predicted.positions.size() == 2);
    CHECK(predicted.positions[1].magnitude_db[0] == Approx(-5.0 + filter_db(100.0)).margin(1e-9));
    CHECK(predicted.positions[1].magnitude_db[1] == Approx(4.0 + filter_db(1000.0)).margin(1e-9));
    CHECK(predicted.average.magnitude_db[1] == Approx(1.0 + filter_db(1000.0)).margin(1e-9));
    FrequencyResponse other_grid{{100.0, 2000.0}, {0.0, 0.0}, {}};
    CHECK_THROWS_AS(predict_correction({other_grid}, a, cf, 48_kHz), Error);
}

TEST_CASE("third-octave levels are the mean power over each band", "[report][room_report]") {
    const auto grid = log_frequency_grid(20_Hz, 20_kHz, 48);
    FrequencyResponse r;
    r.frequency_hz = grid;
    for (double f : grid) r.magnitude_db.push_back(f < 1000.0 ? -10.0 : 0.0);
    const auto centres = third_octave_centres(31.5_Hz, 16_kHz);
    const auto levels = third_octave_levels(r, centres);
    REQUIRE(levels.size() == centres.size());
    CHECK(levels.front() == Approx(-10.0).margin(1e-9));
    CHECK(levels.back() == Approx(0.0).margin(1e-9));
    // The 1 kHz band straddles the step: its lower half at -10 dB, its upper half at 0 dB.
    const auto k = static_cast<std::size_t>(
        std::find_if(centres.begin(), centres.end(), [](double f) { return std::abs(f - 1000.0) < 1.0; }) -
        centres.begin());
    CHECK(levels[k] == Approx(power_to_db((0.1 + 1.0) / 2.0)).margin(0.3));
    CHECK(std::isnan(third_octave_levels(r, {5.0}).front()));
}

TEST_CASE("report warnings name what to do", "[report][room_report]") {
    SECTION("one position and no correction") {
        const auto doc = room_document(living_room(1, false), {.source = "rooms/lr"});
        CHECK(any_contains(doc.warnings, "spatial confidence unknown"));
        CHECK(any_contains(doc.warnings, "roomcal fit --room rooms/lr"));
        CHECK(any_contains(doc.warnings, "roomcal import --room rooms/lr --mic-cal"));
        CHECK(find_plot(doc, "L: correction filter") == nullptr);
        CHECK(find_table(doc, "Parametric filters") == nullptr);
    }
    SECTION("a target that cannot be read falls back to flat") {
        Room room = living_room(1, false);
        room.targets["*"] = RoomTarget{"wobbly:3", {}};
        const auto doc = room_document(room);
        CHECK(any_contains(doc.warnings, "\"wobbly:3\" cannot be read"));
        CHECK(find_curve(*find_plot(doc, "L: measured response"), "target: flat") != nullptr);
    }
    SECTION("a deep narrow null in an imported response, and a calibrated mic") {
        // Flat at 80 dB with a 20 dB notch a twelfth of an octave wide at 80 Hz.
        Room room;
        room.name = "imported";
        room.mic_calibration.source = "mic.txt";
        room.mic_calibration.deviation = {{20.0, 20000.0}, {0.0, 0.0}, {}};
        Measurement m;
        m.timing = "imported";
        for (double f : log_frequency_grid(10_Hz, 24_kHz, 96)) {
            m.frequency_response.frequency_hz.push_back(f);
            const double octaves = std::abs(std::log2(f / 80.0));
            m.frequency_response.magnitude_db.push_back(80.0 - (octaves < 1.0 / 24.0 ? 20.0 : 0.0));
        }
        for (int p = 1; p <= 3; ++p) {
            m.position = p;
            room.channel("C").put(m);
        }
        const auto doc = room_document(room);
        CHECK(any_contains(doc.warnings, "deep narrow null at 80"));
        CHECK_FALSE(any_contains(doc.warnings, "No mic calibration"));
        const Plot* p = find_plot(doc, "C: measured response");
        REQUIRE(p != nullptr);
        REQUIRE(p->flagged.size() == 1);
        CHECK(p->flagged[0].lo < 80.0);
        CHECK(p->flagged[0].hi > 80.0);
        // No impulse response: no ETC or decay plot.
        CHECK(count(html(doc), "<svg") == 1);
    }
    SECTION("a position measured at another level") {
        Room room = living_room(3, false);
        for (auto& v : room.channel("L").measurements[2].impulse_response.samples) v *= 4.0;  // +12 dB
        const auto doc = room_document(room);
        CHECK(any_contains(doc.warnings, "Channel L, position 3: 1"));  // about 12 dB
        CHECK(any_contains(doc.warnings, "dB louder than the median position"));
        CHECK_FALSE(any_contains(doc.warnings, "quieter"));
    }
}

TEST_CASE("a room without measurements is refused", "[report][room_report]") {
    Room room;
    room.name = "empty";
    room.channel("L");
    try {
        room_document(room);
        FAIL("no error for a room without measurements");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).find("room empty has no measurements; measure or import first") !=
              std::string::npos);
    }
}

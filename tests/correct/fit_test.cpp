// The correction fit on the virtual rooms: held-out positions, hard limits, headroom
// verified with full-scale sines, the parametric fit on a known problem, bad input.
#include <catch2/catch.hpp>
#include <cmath>

#include "roomcal/core/error.hpp"
#include "roomcal/correct/fit.hpp"
#include "roomcal/dsp/biquad_design.hpp"
#include "roomcal/dsp/fft.hpp"
#include "roomcal/measure/smoothing.hpp"
#include "roomcal/measure/virtual_room.hpp"

using namespace roomcal;
using namespace roomcal::correct;

namespace {

const Room& virtual_room(std::size_t index) {
    static std::vector<Room> rooms = [] {
        std::vector<Room> v;
        for (const auto& spec : measure::builtin_rooms())
            v.push_back(measure::simulated_room_profile(spec, 9, 48_kHz, 65536));
        return v;
    }();
    return rooms.at(index);
}

FitOptions held_out_options(FitMode mode) {
    FitOptions o;
    o.mode = mode;
    o.positions = {1, 2, 3, 4, 5};
    o.rates = {48000.0};
    return o;
}

// Full-scale sine at f through gain, biquads (direct form I) and FIR; steady-state peak.
double sine_peak(const ChannelFilter& c, Hz rate, double f) {
    const std::size_t settle = c.fir.size() + 9600, n = settle + 4800;
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = std::sin(2.0 * M_PI * f * static_cast<double>(i) / rate.value);
    const double g = std::pow(10.0, c.gain_db / 20.0);
    for (auto& v : x) v *= g;
    for (const auto& b : c.biquads) {
        double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
        for (auto& v : x) {
            const double y = b.b0 * v + b.b1 * x1 + b.b2 * x2 - b.a1 * y1 - b.a2 * y2;
            x2 = x1, x1 = v, y2 = y1, y1 = y, v = y;
        }
    }
    if (!c.fir.empty()) {
        const std::size_t m = dsp::next_fast_size(n + c.fir.size());
        auto xs = dsp::rfft(x, m);
        const auto hs = dsp::rfft(c.fir, m);
        for (std::size_t k = 0; k < xs.size(); ++k) xs[k] *= hs[k];
        const auto y = dsp::irfft(xs, m);
        x.assign(y.begin(), y.begin() + static_cast<std::ptrdiff_t>(n));
    }
    double peak = 0.0;
    for (std::size_t i = settle; i < n; ++i) peak = std::max(peak, std::abs(x[i]));
    return peak;
}

}  // namespace

TEST_CASE("an FIR fit on 5 positions helps the 4 positions it never saw", "[correct][fit]") {
    for (std::size_t r = 0; r < 3; ++r) {
        const Room& room = virtual_room(r);
        const auto res = fit_room(room, held_out_options(FitMode::fir));
        for (std::size_t c = 0; c < res.channels.size(); ++c) {
            const auto held = channel_data(room, res.channels[c].channel, {6, 7, 8, 9});
            const auto p = predict(held, res.sets[0].channels[c], 48_kHz, res.channels[c].target);
            double before = 0.0, after = 0.0;
            for (const auto& pos : p.positions) {
                CAPTURE(room.name, res.channels[c].channel, pos.position, pos.sd_before_db, pos.sd_after_db);
                // Third-octave SD 30 Hz–16 kHz: every held-out position better by at least
                // 0.1 dB (the smallest gain measured is 0.14 dB).
                CHECK(pos.sd_after_db < pos.sd_before_db - 0.1);
                before += pos.sd_before_db;
                after += pos.sd_after_db;
            }
            CAPTURE(room.name, before / 4, after / 4);
            CHECK(after < before * 0.95);  // over the four held-out positions, at least 5 % better (7–25 %)
            // At the positions it was fitted on, the average response improves too.
            CHECK(res.channels[c].prediction.sd_after_db < res.channels[c].prediction.sd_before_db - 0.1);
        }
    }
}

TEST_CASE("ten parametric filters bring 20-300 Hz within 3 dB of the target outside nulls", "[correct][fit][peq]") {
    for (std::size_t r = 0; r < 3; ++r) {
        const Room& room = virtual_room(r);
        FitOptions o = held_out_options(FitMode::parametric);
        o.peq.filters = 10;
        o.range = std::pair{20_Hz, 300_Hz};
        const auto res = fit_room(room, o);
        const auto& grid = analysis_grid();
        for (const auto& cf : res.channels) {
            CHECK(cf.parametric.size() <= 10);
            // The average of the fitted positions at 1/24 octave, after the correction.
            const auto after =
                measure::smooth(cf.prediction.average_after, {measure::SmoothingKind::fractional_octave, 24});
            const auto before =
                measure::smooth(cf.prediction.average_before, {measure::SmoothingKind::fractional_octave, 24});
            double worst_after = 0.0, worst_before = 0.0;
            for (std::size_t i = 0; i < grid.size(); ++i) {
                const auto& k = cf.confidence;
                if (grid[i] < cf.low_limit.value || grid[i] > 300.0 || k.no_boost[i] || k.narrow[i] || k.guard[i])
                    continue;
                worst_after = std::max(worst_after, std::abs(after.magnitude_db[i] - cf.prediction.target_db[i]));
                worst_before = std::max(worst_before, std::abs(before.magnitude_db[i] - cf.prediction.target_db[i]));
            }
            CAPTURE(room.name, cf.channel, worst_before, worst_after);
            CHECK(worst_before > 6.0);  // there was something to correct
            CHECK(worst_after <= 3.0);
        }
    }
}

TEST_CASE("a mixed-phase correction keeps its pre-ringing under the bound", "[correct][fit]") {
    for (std::size_t r = 0; r < 3; ++r) {
        const Room& room = virtual_room(r);
        FitOptions o = held_out_options(FitMode::fir);
        o.phase = FirPhase::mixed;
        o.taps_at_48k = 32768;
        const auto res = fit_room(room, o);
        for (std::size_t c = 0; c < res.channels.size(); ++c) {
            const auto& fir = res.sets[0].channels[c].fir;
            REQUIRE_FALSE(fir.empty());
            // Energy ending more than 1 ms before the filter's largest tap, against all of it.
            std::size_t peak = 0;
            for (std::size_t i = 1; i < fir.size(); ++i)
                if (std::abs(fir[i]) > std::abs(fir[peak])) peak = i;
            double pre = 0.0, all = 0.0;
            for (std::size_t i = 0; i < fir.size(); ++i) {
                all += fir[i] * fir[i];
                if (static_cast<double>(i) < static_cast<double>(peak) - 48.0) pre += fir[i] * fir[i];
            }
            const double pre_db = pre > 0.0 ? 10.0 * std::log10(pre / all) : -300.0;
            CAPTURE(room.name, res.channels[c].channel, pre_db, res.channels[c].pre_ringing_db);
            CHECK(pre_db <= o.pre_ringing_bound_db + 0.01);
            CHECK(res.channels[c].pre_ringing_db <= o.pre_ringing_bound_db);
        }
        CHECK(res.latency_ms == Approx(std::min(32768.0 / 4.0, 4800.0) / 48.0));
    }
}

TEST_CASE("max boost holds for the realised filters at every rate", "[correct][fit]") {
    const Room& room = virtual_room(1);
    for (auto mode : {FitMode::parametric, FitMode::fir, FitMode::mixed}) {
        FitOptions o;
        o.mode = mode;
        o.peq.max_boost_db = 3.0;
        o.taps_at_48k = 16384;
        o.align_channels = false;
        const auto res = fit_room(room, o);
        REQUIRE(res.sets.size() == 4);
        for (const auto& set : res.sets)
            for (const auto& ch : set.channels) {
                ChannelFilter shape = ch;
                shape.gain_db -= set.preamp_db;  // the boost limit is on the correction's shape
                const auto grid = log_frequency_grid(Hz(10.0), Hz(set.sample_rate.value * 0.499), 96);
                const auto c = correction_db(shape, set.sample_rate, grid);
                const double peak = *std::max_element(c.begin(), c.end());
                CAPTURE(mode_name(mode), set.sample_rate.value, ch.channel, peak);
                CHECK(peak <= 3.0 + 1e-6);
            }
    }
}

TEST_CASE("the preamp keeps full-scale sines below 0 dBFS through the correction", "[correct][fit]") {
    const Room& room = virtual_room(0);
    FitOptions o;
    o.mode = FitMode::mixed;
    o.taps_at_48k = 8192;
    o.rates = {48000.0};
    const auto res = fit_room(room, o);
    REQUIRE(res.guaranteed_preamp_db < 0.0);
    CHECK(res.preamp_db == res.guaranteed_preamp_db);
    CHECK_FALSE(res.needs_limiter);
    const auto& set = res.sets.front();
    for (const auto& ch : set.channels) {
        // The frequency of the largest gain, and a log sweep of 40 others.
        const auto grid = log_frequency_grid(20_Hz, 20_kHz, 96);
        const auto c = correction_db(ch, set.sample_rate, grid);
        std::vector<double> freqs{grid[static_cast<std::size_t>(std::max_element(c.begin(), c.end()) - c.begin())]};
        for (double f = 20.0; f < 20000.0; f *= std::pow(1000.0, 1.0 / 40.0)) freqs.push_back(f);
        double worst = 0.0;
        for (double f : freqs) worst = std::max(worst, sine_peak(ch, set.sample_rate, f));
        CAPTURE(ch.channel, worst, 20.0 * std::log10(worst));
        CHECK(worst <= 1.0);
        CHECK(worst > 0.8);  // and the preamp does not waste more than 2 dB
    }
    // A smaller preamp backed by the limiter says so.
    o.limiter_headroom_db = 2.0;
    const auto lim = fit_room(room, o);
    CHECK(lim.preamp_db == Approx(std::min(0.0, lim.guaranteed_preamp_db + 2.0)).margin(1e-9));
    CHECK(lim.needs_limiter);
    CHECK(lim.sets.front().needs_limiter);
}

TEST_CASE("the parametric fit recovers a known set of filters", "[correct][peq]") {
    const std::vector<ParametricFilter> truth{{FilterType::peaking, 45.0, 4.0, 7.0},
                                              {FilterType::peaking, 120.0, 2.0, 5.0},
                                              {FilterType::peaking, 210.0, 6.0, -4.0}};
    PeqProblem pr;
    pr.grid_hz = log_frequency_grid(20_Hz, 20_kHz, 48);
    pr.error_db = parametric_db(truth, 48_kHz, pr.grid_hz);  // the room: these peaks, to be cut
    pr.weight.assign(pr.grid_hz.size(), 1.0);
    pr.no_boost.assign(pr.grid_hz.size(), 0);
    PeqLimits l;
    l.high = Hz(300.0);
    l.max_cut_db = 15.0;
    const auto fit = fit_parametric(pr, l);
    CAPTURE(fit.rms_before_db, fit.rms_after_db, fit.filters.size());
    CHECK(fit.rms_before_db > 2.0);
    CHECK(fit.rms_after_db < 0.2);
    CHECK(fit.filters.size() <= 10);
}

TEST_CASE("the parametric fit never boosts into a flagged null", "[correct][peq]") {
    PeqProblem pr;
    pr.grid_hz = log_frequency_grid(20_Hz, 20_kHz, 48);
    // A deep narrow dip at 80 Hz, flagged, and a boostable broad dip at 200 Hz.
    pr.error_db = parametric_db({{FilterType::peaking, 80.0, 8.0, -15.0}, {FilterType::peaking, 200.0, 1.0, -4.0}},
                                48_kHz, pr.grid_hz);
    pr.weight.assign(pr.grid_hz.size(), 1.0);
    pr.no_boost.assign(pr.grid_hz.size(), 0);
    for (std::size_t i = 0; i < pr.grid_hz.size(); ++i)
        if (pr.grid_hz[i] > 70.0 && pr.grid_hz[i] < 92.0) pr.no_boost[i] = 1;
    const auto fit = fit_parametric(pr, {});
    const auto c = parametric_db(fit.filters, 48_kHz, pr.grid_hz);
    for (std::size_t i = 0; i < pr.grid_hz.size(); ++i) {
        CAPTURE(pr.grid_hz[i], c[i]);
        if (pr.no_boost[i]) CHECK(c[i] < 0.5);
        CHECK(c[i] <= 6.0 + 1e-9);
    }
    CHECK(parametric_db(fit.filters, 48_kHz, {200.0})[0] > 3.0);  // the broad dip is filled
}

TEST_CASE("fit refuses what it cannot fit and says why", "[correct][fit]") {
    Room empty;
    empty.name = "empty";
    CHECK_THROWS_WITH(fit_room(empty, {}), Catch::Contains("has no measurements"));

    Room one = measure::simulated_room_profile(measure::builtin_rooms()[2], 1, 48_kHz, 32768);
    FitOptions o;
    o.rates = {48000.0};
    o.taps_at_48k = 4096;
    const auto res = fit_room(one, o);
    REQUIRE(res.channels.size() == 2);
    CHECK(res.channels[0].confidence.note.find("one position") != std::string::npos);
    CHECK_FALSE(res.warnings.empty());

    Room mixed = one;
    auto m = mixed.channels[0].measurements[0];
    m.position = 2;
    m.impulse_response.sample_rate = 44.1_kHz;
    mixed.channels[0].put(m);
    CHECK_THROWS_WITH(fit_room(mixed, o), Catch::Contains("mixes sample rates") && Catch::Contains("44100"));

    o.positions = {1, 4};
    CHECK_THROWS_WITH(fit_room(one, o), Catch::Contains("no measurement at position 4"));
}

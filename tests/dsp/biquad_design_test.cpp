// Matched biquad designs against their analog prototypes, across rates.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <numbers>
#include <utility>
#include <vector>

#include "roomcal/core/error.hpp"
#include "roomcal/dsp/biquad_design.hpp"

using namespace roomcal;

namespace {

double db(std::complex<double> h) { return 20.0 * std::log10(std::abs(h)); }

// Largest |digital - analog| in dB from 10 Hz to `top` (a fraction of Nyquist).
double worst_vs_analog(const ParametricFilter& p, Hz fs, double top, bool cookbook = false) {
    const Biquad b = cookbook ? dsp::design_cookbook_biquad(p, fs) : dsp::design_biquad(p, fs);
    double worst = 0.0;
    for (double f = 10.0; f < top * fs.value / 2.0; f *= 1.01)
        worst = std::max(worst, std::abs(db(b.response(Hz(f), fs)) - db(dsp::analog_response(p, Hz(f)))));
    return worst;
}

// Largest root magnitude of c0 z² + c1 z + c2.
double root_radius(double c0, double c1, double c2) {
    const double disc = c1 * c1 - 4.0 * c0 * c2;
    if (disc < 0.0) return std::sqrt(c2 / c0);
    const double r = std::sqrt(disc);
    return std::max(std::abs((-c1 + r) / (2.0 * c0)), std::abs((-c1 - r) / (2.0 * c0)));
}

// Largest |digital - analog| in dB over 20 Hz–20 kHz (1000 log-spaced points and f0).
double miss_in_band(const Biquad& b, const ParametricFilter& p, Hz fs) {
    auto miss = [&](double f) { return std::abs(db(b.response(Hz(f), fs)) - db(dsp::analog_response(p, Hz(f)))); };
    double worst = miss(p.frequency_hz);
    for (int i = 0; i <= 1000; ++i) worst = std::max(worst, miss(20.0 * std::pow(1000.0, i / 1000.0)));
    return worst;
}

// How far a shelf's prototype goes beyond its two end gains (0 dB and the gain), in dB:
// above Q ≈ 0.7 it overshoots the gain on one side and 0 dB on the other. Depends on Q and
// gain only (and is the same for both shelves), so it is kept per pair.
double overshoot_db(const ParametricFilter& p) {
    static std::map<std::pair<double, double>, double> known;
    const auto key = std::make_pair(p.q, p.gain_db);
    if (const auto it = known.find(key); it != known.end()) return it->second;
    const ParametricFilter shelf{FilterType::low_shelf, 1000.0, p.q, p.gain_db};
    double top = -1e300, bottom = 1e300;
    for (double f = 1.0; f < 1e6; f *= 1.002) {
        const double d = db(dsp::analog_response(shelf, Hz(f)));
        top = std::max(top, d), bottom = std::min(bottom, d);
    }
    return known[key] = std::max(top - std::max(p.gain_db, 0.0), std::min(p.gain_db, 0.0) - bottom);
}

// Peak |gain| in dB of b over (0, Nyquist) and of the prototype over all frequencies.
double digital_peak_db(const Biquad& b, Hz fs) {
    double peak = -1e300;
    for (int i = 0; i <= 4000; ++i)
        peak = std::max(peak, db(b.response(Hz(fs.value / 2.0 * std::pow(1e-5, i / 4000.0)), fs)));
    return peak;
}
double analog_peak_db(const ParametricFilter& p) {
    double peak = -1e300;
    for (double w = 1e-3; w < 1e3; w *= 1.002)
        peak = std::max(peak, db(dsp::analog_response(p, Hz(w * p.frequency_hz))));
    return peak;
}

// The largest |state| of a transposed direct form II section fed a full-scale sine at f.
double state_peak(const Biquad& b, double f, Hz fs) {
    double s1 = 0.0, s2 = 0.0, peak = 0.0;
    for (int n = 0; n < 8192; ++n) {
        const double x = std::sin(2.0 * std::numbers::pi * f / fs.value * n);
        const double y = b.b0 * x + s1;
        s1 = b.b1 * x - b.a1 * y + s2;
        s2 = b.b2 * x - b.a2 * y;
        peak = std::max({peak, std::abs(s1), std::abs(s2)});
    }
    return peak;
}

}  // namespace

// The acceptance grid: every bell and shelf a user can set (centre 20 Hz–20 kHz, gain
// ±24 dB, Q 0.1–20) at 44.1, 48, 88.2 and 96 kHz stays within 0.25 dB of its analog
// prototype over 20 Hz–20 kHz, with poles (and zeros) inside radius 1 - 1e-6. The one
// exception is the documented one (biquad_design.hpp), shelves whose prototype overshoots
// by more than 5 dB: at 44.1 and 48 kHz they can miss by up to 1.75 dB in the top octaves,
// as any single biquad must (the least possible error there exceeds 0.25 dB); at 88.2 and
// 96 kHz by up to 0.5 dB near 20 kHz, where the fit also holds their resonance above 20 kHz.
TEST_CASE("EQ bells and shelves within 0.25 dB of the prototype, 20 Hz-20 kHz, over the whole grid", "[dsp][biquad]") {
    const FilterType types[] = {FilterType::peaking, FilterType::low_shelf, FilterType::high_shelf};
    std::vector<double> centres;
    for (int k = 0; k <= 12; ++k) centres.push_back(20.0 * std::pow(1000.0, k / 12.0));
    for (double f : {8000.0, 10000.0, 13000.0, 15000.0, 17000.0, 18500.0, 19500.0}) centres.push_back(f);
    double worst = 0.0;
    for (double rate : {44100.0, 48000.0, 88200.0, 96000.0})
        for (auto type : types)
            for (double f0 : centres)
                for (double q : {0.1, 0.2, 0.4, 0.7071, 1.0, 1.4, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0})
                    for (double gain : {-24.0, -12.0, -3.0, 1.0, 6.0, 15.0, 24.0}) {
                        const ParametricFilter p{type, f0, q, gain};
                        const Hz fs(rate);
                        const Biquad b = dsp::design_biquad(p, fs);
                        CAPTURE(rate, short_name(type), f0, q, gain);
                        REQUIRE(root_radius(1.0, b.a1, b.a2) < 1.0 - 1e-6);
                        REQUIRE(root_radius(b.b0, b.b1, b.b2) < 1.0 - 1e-6);
                        const double miss = miss_in_band(b, p, fs);
                        CAPTURE(miss);
                        const bool resonant_shelf = type != FilterType::peaking && overshoot_db(p) > 5.0;
                        if (resonant_shelf) {
                            CHECK(miss <= (rate < 80000.0 ? 1.75 : 0.5));
                        } else {
                            CHECK(miss <= 0.25);
                            worst = std::max(worst, miss);
                        }
                    }
    CHECK(worst > 0.1);  // the grid does reach the hard corners
}

// No internal-gain surprises: above 20 kHz, where the fit is loose, the response stays
// near the prototype's own peak (within 1 dB for bells and 1.5 dB for shelves; the
// resonant shelves the design cannot follow may peak up to 12 dB above it there), and a
// full-scale sine keeps the transposed direct form II states within a small multiple of
// the filter's peak gain.
TEST_CASE("EQ biquads have no hidden peaks and sane internal states", "[dsp][biquad]") {
    const FilterType types[] = {FilterType::peaking, FilterType::low_shelf, FilterType::high_shelf};
    for (double rate : {44100.0, 96000.0})
        for (auto type : types)
            for (double f0 : {20.0, 200.0, 2000.0, 10000.0, 15000.0, 20000.0})
                for (double q : {0.1, 0.7071, 2.0, 8.0, 20.0})
                    for (double gain : {-24.0, -6.0, 6.0, 24.0}) {
                        const ParametricFilter p{type, f0, q, gain};
                        const Hz fs(rate);
                        const Biquad b = dsp::design_biquad(p, fs);
                        CAPTURE(rate, short_name(type), f0, q, gain);
                        const double peak = digital_peak_db(b, fs), limit = analog_peak_db(p);
                        const bool resonant_shelf = type != FilterType::peaking && overshoot_db(p) > 5.0;
                        CHECK(peak <= limit + (type == FilterType::peaking ? 1.0 : resonant_shelf ? 12.0 : 1.5));
                        const double peak_gain = std::pow(10.0, peak / 20.0);
                        for (double f : {30.0, f0, 0.45 * rate, 19000.0})
                            CHECK(state_peak(b, f, fs) <= 2.0 * peak_gain + 2.0);
                    }
}

TEST_CASE("matched biquads follow the analog prototype up to near Nyquist", "[dsp][biquad]") {
    const FilterType types[] = {FilterType::peaking, FilterType::low_shelf, FilterType::high_shelf};
    for (double rate : {44100.0, 48000.0, 96000.0})
        for (auto type : types)
            for (double f0 : {20.0, 100.0, 1000.0, 5000.0, 12000.0})
                for (double q : {0.5, 2.0, 8.0})
                    for (double gain : {-12.0, -3.0, 6.0}) {
                        if (type != FilterType::peaking && q > 2.0) continue;  // shelves above Q 2 overshoot
                        const ParametricFilter p{type, f0, q, gain};
                        CAPTURE(rate, short_name(type), f0, q, gain);
                        const Biquad b = dsp::design_biquad(p, Hz(rate));
                        CHECK(b.is_stable());
                        // Shelves steeper than Q 1 in the top octave are the hard case. These looser
                        // bounds reach from 10 Hz to 0.9 Nyquist, beyond the band the design fits
                        // (the grid test above holds it to 0.25 dB over 20 Hz–20 kHz).
                        const bool steep_top_shelf = type != FilterType::peaking && q > 1.0 && f0 >= rate / 4.0;
                        // The labelled gain at f0 (half of it for a shelf): within 0.3 dB, what
                        // the minimax refinement may trade there for the band as a whole.
                        CHECK(db(b.response(Hz(f0), Hz(rate))) ==
                              Approx(gain * (type == FilterType::peaking ? 1.0 : 0.5))
                                  .margin(steep_top_shelf ? 0.8 : 0.3));
                        // Bells up to Q 4 and other shelves: within 0.3 dB of the prototype below
                        // 0.9 Nyquist.
                        if (q <= 4.0 && !steep_top_shelf) CHECK(worst_vs_analog(p, Hz(rate), 0.9) <= 0.3);
                        // Below 0.9 Nyquist: within 1.5 dB for filters well below Nyquist, and never
                        // more than 1 dB worse than the bilinear design, which misses by up to the gain itself.
                        const double matched = worst_vs_analog(p, Hz(rate), 0.9);
                        const double bilinear = worst_vs_analog(p, Hz(rate), 0.9, true);
                        CAPTURE(matched, bilinear);
                        if (f0 < rate / 8) CHECK(matched < 1.5);
                        CHECK(matched < bilinear + 1.0);
                    }
}

TEST_CASE("a parametric filter means the same at 44.1 and 96 kHz", "[dsp][biquad]") {
    for (double f0 : {30.0, 250.0, 3000.0, 10000.0, 15000.0}) {
        const ParametricFilter p{FilterType::peaking, f0, 1.5, 6.0};
        const Biquad lo = dsp::design_biquad(p, 44.1_kHz), hi = dsp::design_biquad(p, 96_kHz);
        const Biquad lo_bilinear = dsp::design_cookbook_biquad(p, 44.1_kHz),
                     hi_bilinear = dsp::design_cookbook_biquad(p, 96_kHz);
        double matched = 0.0, bilinear = 0.0;
        for (double f = 20.0; f <= 20000.0; f *= 1.01) {
            matched = std::max(matched, std::abs(db(lo.response(Hz(f), 44.1_kHz)) - db(hi.response(Hz(f), 96_kHz))));
            bilinear = std::max(bilinear, std::abs(db(lo_bilinear.response(Hz(f), 44.1_kHz)) -
                                                   db(hi_bilinear.response(Hz(f), 96_kHz))));
        }
        CAPTURE(f0, matched, bilinear);
        CHECK(matched < 0.5);
        if (f0 >= 10000.0) CHECK(bilinear > 2.0 * matched);  // what the matched design is for
    }
}

TEST_CASE("biquad design refuses settings it cannot realise", "[dsp][biquad]") {
    CHECK_THROWS_AS(dsp::design_biquad({FilterType::peaking, 30000.0, 1.0, 3.0}, 48_kHz), UsageError);
    CHECK_THROWS_WITH(dsp::design_biquad({FilterType::peaking, 100.0, 0.0, 3.0}, 48_kHz), Catch::Contains("Q"));
    CHECK_THROWS_AS(dsp::design_biquad({FilterType::low_shelf, 100.0, 0.7, std::nan("")}, 48_kHz), UsageError);
}

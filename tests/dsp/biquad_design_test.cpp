// Matched biquad designs against their analog prototypes, across rates.
#include <catch2/catch.hpp>
#include <cmath>

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

}  // namespace

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
                        // Shelves steeper than Q 1 in the top octave are the hard case (measured:
                        // 0.72 dB for a -12 dB shelf of Q 2 at 12 kHz, 44.1 kHz).
                        const bool steep_top_shelf = type != FilterType::peaking && q > 1.0 && f0 >= rate / 4.0;
                        // The labelled gain at f0 (half of it for a shelf): within 0.3 dB, what
                        // the minimax refinement may trade there for the band as a whole.
                        CHECK(db(b.response(Hz(f0), Hz(rate))) ==
                              Approx(gain * (type == FilterType::peaking ? 1.0 : 0.5))
                                  .margin(steep_top_shelf ? 0.8 : 0.3));
                        // Bells up to Q 4 and other shelves: within 0.3 dB of the prototype below
                        // 0.9 Nyquist (the worst measured: 0.29 dB, a -12 dB bell of Q 0.5 at 12 kHz).
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

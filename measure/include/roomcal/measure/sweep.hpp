// Exponential sine sweep, synchronized variant (Farina 2000; Novak, Lotton & Simon 2015):
// the rate parameter L is rounded so every harmonic response comes out phase-true at
// a known time advance L·ln(k) before the linear one. The played signal brackets the
// sweep with two identical timing markers, so the recording itself tells the clock
// drift between playback and capture (as REW's acoustic timing reference does).
#pragma once

#include <array>
#include <vector>

#include "roomcal/core/units.hpp"

namespace roomcal::measure {

struct SweepSpec {
    Hz sample_rate{48000.0};
    Hz start{10.0};
    Hz end{22000.0};
    std::size_t length_samples = 1u << 18;  // requested length; the synchronized sweep rounds it
    double level_dbfs = -20.0;              // peak level of the sweep
    Seconds fade_in{0.05};                  // raised-cosine fade at the start
    Seconds fade_out{0.005};                // shorter: the top octave must stay in
    Seconds silence_after{1.0};             // room tail and latency are recorded in this gap
    bool timing_markers = true;             // marker, gap, sweep, gap, marker

    // Throws roomcal::UsageError naming the bad parameter and the allowed range.
    void validate() const;
};

struct Sweep {
    SweepSpec spec;
    double rate_l = 0.0;                          // L in seconds: f(t) = start · exp(t / L)
    std::size_t sweep_samples = 0;                // length of the sweep proper
    std::size_t sweep_offset = 0;                 // where the sweep starts within `signal`
    std::vector<double> sweep;                    // the sweep proper, what deconvolution inverts
    std::vector<double> marker;                   // the timing marker; empty without markers
    std::array<std::size_t, 2> marker_offsets{};  // where the two markers start in `signal`
    std::vector<double> signal;                   // everything that is played, silence included

    bool has_markers() const { return !marker.empty(); }

    // Instantaneous frequency at sample n of the sweep.
    double frequency_at(double n) const;
    // Advance, in seconds, of the k-th harmonic's response relative to the linear one.
    Seconds harmonic_advance(int k) const;
};

Sweep make_sweep(const SweepSpec& spec);

}  // namespace roomcal::measure

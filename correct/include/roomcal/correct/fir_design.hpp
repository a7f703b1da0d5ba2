// FIR correction filters from a magnitude correction curve: minimum-phase (homomorphic,
// no added latency), linear-phase (zero-phase, centred, latency of half the taps), or
// mixed-phase — minimum-phase magnitude plus the inverse of the room's excess phase at
// low frequencies only, taken from a frequency-dependent-windowed response so only the
// direct, stable part of the low-frequency phase is undone (Johansen & Rubak 1996 on
// excess-phase correction; the FDW of Karjalainen & Paatero 2001). Pre-ringing energy
// is measured and held below a bound by narrowing the excess-phase band.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "roomcal/core/impulse_response.hpp"
#include "roomcal/core/units.hpp"

namespace roomcal::correct {

enum class FirPhase { minimum, linear, mixed };
const char* phase_name(FirPhase p);

struct FirOptions {
    std::size_t taps = 65536;
    FirPhase phase = FirPhase::minimum;
    Hz sample_rate{48000.0};
    double max_boost_db = 6.0;  // the realised filter never exceeds it, checked on a fine FFT grid
    // Mixed phase: excess phase is inverted up to this frequency (fading out over the
    // octave above), then narrowed until the pre-ringing bound holds.
    Hz excess_phase_upto{300.0};
    double pre_ringing_bound_db = -30.0;
};

struct FirDesign {
    std::vector<double> taps;
    double latency_samples = 0.0;    // where the filter's main arrival sits
    double pre_ringing_db = -300.0;  // energy ending 1 ms before the main arrival, relative to all
    double max_gain_db = 0.0;        // realised, over 10 Hz–Nyquist
    Hz excess_phase_upto{0.0};       // what the mixed-phase design ended up inverting
};

// `correction_db` on `grid_hz` (log-spaced, increasing): the wanted magnitude change,
// already limited and faded to 0 dB where nothing is corrected; held flat beyond the
// grid's ends. `room_ir` is needed for mixed phase (the listening position's IR).
// Throws roomcal::UsageError for unusable options, roomcal::Error for bad curves.
FirDesign design_fir(const std::vector<double>& grid_hz, const std::vector<double>& correction_db,
                     const FirOptions& options, const ImpulseResponse* room_ir = nullptr);

// Energy of `h` ending `guard_ms` before its main arrival `arrival` (samples), relative
// to the whole energy, in dB (-300 when there is none).
double pre_ringing_db(const std::vector<double>& h, double arrival, Hz rate, double guard_ms = 1.0);

// Magnitude (dB) of an FIR on a log grid, by a zero-padded FFT.
std::vector<double> fir_db(const std::vector<double>& taps, Hz rate, const std::vector<double>& grid_hz);

}  // namespace roomcal::correct

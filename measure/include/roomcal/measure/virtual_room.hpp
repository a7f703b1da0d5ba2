// A deterministic simulator of a small rectangular room with loudspeakers: image
// sources for the early reflections (Allen & Berkley 1979), a modal sum for the bass
// below the Schroeder frequency, and a diffuse tail of band-limited noise decaying with
// each octave band's RT60 (Jot-style). It is the ground truth the tests measure against.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "roomcal/core/impulse_response.hpp"
#include "roomcal/core/room.hpp"

namespace roomcal::measure {

struct Vec3 {
    double x = 0.0, y = 0.0, z = 0.0;
};

// Octave-band centres the RT60 table refers to.
inline constexpr std::array<double, 8> rt60_band_centres_hz{63, 125, 250, 500, 1000, 2000, 4000, 8000};

struct VirtualSpeaker {
    std::string channel;  // "L", "R"
    Vec3 position;
};

struct VirtualRoomSpec {
    std::string name;
    std::string description;
    Vec3 dimensions;                 // metres: length (x), width (y), height (z)
    std::array<double, 8> rt60_s{};  // per octave band, seconds
    std::vector<VirtualSpeaker> speakers;
    std::vector<Vec3> mic_positions;    // [0] is the listening position
    double speaker_low_cutoff_hz = 45;  // the loudspeaker's own 2nd-order roll-off
    // What the measuring chain adds (used when simulating a recording).
    double capture_gain_db = -6;    // the interface's input gain (VirtualRecorder)
    double noise_floor_dbfs = -70;  // broadband noise at the mic, RMS
    double h2_db = -40;             // 2nd / 3rd harmonic level relative to the fundamental
    double h3_db = -46;
    double latency_samples = 1234;  // output-to-input latency of the "interface"
    double drift_ppm = 0;           // recording clock relative to playback

    // RT60 at frequency f, interpolated over log-frequency between band centres.
    double rt60_at(double f_hz) const;
    double volume() const { return dimensions.x * dimensions.y * dimensions.z; }
    // Throws roomcal::UsageError if geometry or positions are impossible.
    void validate() const;
};

// The built-in rooms: "untreated-bedroom", "living-room", "treated-studio".
const std::vector<VirtualRoomSpec>& builtin_rooms();
// Throws roomcal::UsageError listing the available names if `name` is unknown.
const VirtualRoomSpec& find_builtin_room(const std::string& name);

// The loudspeaker-to-mic impulse response, `length` samples at `rate`. The direct sound
// arrives at `reference_sample`; deterministic for a given seed.
ImpulseResponse simulate_impulse_response(const VirtualRoomSpec& room, std::size_t speaker, const Vec3& mic, Hz rate,
                                          std::size_t length, std::uint64_t seed = 1);

// A room profile holding the virtual room's true impulse responses (no measuring chain)
// for each speaker at mic positions 1..`positions`, timed as through a loopback: what
// fits and predictions are graded against.
Room simulated_room_profile(const VirtualRoomSpec& room, int positions, Hz rate, std::size_t length);

}  // namespace roomcal::measure

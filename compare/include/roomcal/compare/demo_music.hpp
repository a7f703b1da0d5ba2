// The demo's mix and master: a synthetic piece of music (kick, bass, chords, hats, in
// stereo) and a "mastered" version of it — more low end, a little less presence, a touch
// of air, louder and true-peak limited, starting later — so `demo` can show what
// `compare` finds and how the mix translates across the virtual rooms.
#pragma once

#include "roomcal/core/audio_buffer.hpp"
#include "roomcal/core/units.hpp"

namespace roomcal::compare {

struct DemoPair {
    AudioBuffer<float> mix, master;
    // What the master did, for the demo's printout: the EQ in words, and the delay.
    const char* changes = "";
    double master_delay_s = 0.0;
};

DemoPair demo_music(Hz rate, double seconds);

}  // namespace roomcal::compare

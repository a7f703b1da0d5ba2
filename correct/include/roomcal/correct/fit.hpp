// Fitting a room's correction: for each channel, the target placed at the measured
// level, the confidence of each frequency from the mic positions, then parametric EQ,
// an FIR, or both ("mixed": parametric filters for the bass, an FIR for the rest),
// designed for every sample rate the engine may run at; the channels matched in level
// and time of arrival; and the preamp that keeps a full-scale sine below 0 dBFS.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "roomcal/core/room.hpp"
#include "roomcal/correct/confidence.hpp"
#include "roomcal/correct/fir_design.hpp"
#include "roomcal/correct/peq_fit.hpp"
#include "roomcal/correct/predict.hpp"
#include "roomcal/correct/target.hpp"

namespace roomcal::correct {

enum class FitMode { parametric, fir, mixed };
const char* mode_name(FitMode m);

struct FitOptions {
    FitMode mode = FitMode::fir;
    FirPhase phase = FirPhase::minimum;
    std::map<std::string, TargetCurve> targets;  // by channel; "*" for the rest; none: the room's, else flat
    PeqLimits peq;                               // filters, boost, cut, Q; its range when `range` is unset
    std::optional<std::pair<Hz, Hz>> range;      // default: 20–500 Hz parametric, 20 Hz–20 kHz otherwise
    Hz cut_only_above{0.0};                      // 0: boosts allowed everywhere in range
    std::size_t taps_at_48k = 65536;             // scaled with the rate
    std::vector<double> rates{44100.0, 48000.0, 88200.0, 96000.0};
    std::vector<int> positions;  // empty: all
    bool align_channels = true;
    // 0: the preamp guarantees no clipping. > 0: that many dB less attenuation, and the
    // output limiter catches the rest (FilterSet::needs_limiter).
    double limiter_headroom_db = 0.0;
    double pre_ringing_bound_db = -30.0;
};

struct ChannelFit {
    std::string channel;
    TargetCurve target;
    Hz low_limit{20.0}, high_limit{20000.0};  // what was corrected
    Confidence confidence;
    std::vector<double> wanted_db;  // the correction curve asked for (on analysis_grid())
    std::vector<ParametricFilter> parametric;
    std::size_t fir_taps = 0;
    double pre_ringing_db = -300.0;
    double level_trim_db = 0.0;    // channel matching
    double delay_ms = 0.0;         // channel matching
    ChannelPrediction prediction;  // at the design rate, with trim and preamp
};

struct FitResult {
    std::vector<FilterSet> sets;  // one per rate
    std::vector<ChannelFit> channels;
    double guaranteed_preamp_db = 0.0;
    double preamp_db = 0.0;
    bool needs_limiter = false;
    double latency_ms = 0.0;
    std::vector<std::string> warnings;
    double seconds = 0.0;
};

// Throws roomcal::Error naming the room for an empty room, missing positions, a channel
// measured at different sample rates than it can be designed for, and
// roomcal::UsageError for unusable options.
FitResult fit_room(const Room& room, const FitOptions& options);

// The target a fit uses for `channel`: options' own, else the room's, else flat. A room
// target whose spec is "file" uses its stored curve.
TargetCurve target_for(const Room& room, const FitOptions& options, const std::string& channel);

}  // namespace roomcal::correct

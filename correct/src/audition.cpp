// Room audition filters and the cascade of two filter sets (FFT convolution of the FIRs).
#include "roomcal/correct/audition.hpp"

#include <algorithm>
#include <cmath>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/correct/fir_design.hpp"
#include "roomcal/correct/fit.hpp"
#include "roomcal/correct/predict.hpp"
#include "roomcal/correct/room_data.hpp"
#include "roomcal/dsp/fft.hpp"
#include "roomcal/measure/smoothing.hpp"

namespace roomcal::correct {

FilterSet audition_filter(const Room& room, const AuditionOptions& o) {
    if (o.sample_rate.value < 8000.0 || o.taps_at_48k < 1024 || o.smoothing_octaves <= 0.0 || o.max_level_db <= 0.0)
        throw UsageError("audition options out of range: rate ≥ 8 kHz, ≥ 1024 taps, positive smoothing and level");
    if (room.channels.empty())
        throw Error("room " + room.name + " has no measurements to audition; measure or import it first");
    const auto& grid = analysis_grid();
    FilterSet set;
    set.sample_rate = o.sample_rate;
    set.description = "as heard in " + room.name;
    const auto taps =
        static_cast<std::size_t>(std::llround(static_cast<double>(o.taps_at_48k) * o.sample_rate.value / 48000.0));
    for (const auto& ch : room.channels) {
        const ChannelData data = channel_data(room, ch.name);
        // The room's own target shape, without its roll-off limits: the loudspeaker's
        // roll-off in that room is part of how it sounds there.
        TargetCurve target = target_for(room, FitOptions{}, ch.name);
        target.low_limit = Hz(0.0);
        target.high_limit = Hz(20000.0);
        const auto target_db = target.level_db(grid);
        const measure::Smoothing smoothing{measure::SmoothingKind::fractional_octave, 1.0 / o.smoothing_octaves};
        const auto avg = measure::smooth(data.summary.rms_average, smoothing).magnitude_db;
        const double offset = target_offset_db(grid, avg, target_db);
        std::vector<double> colour(grid.size());
        for (std::size_t i = 0; i < grid.size(); ++i)
            colour[i] = std::clamp(avg[i] - target_db[i] - offset, -o.max_level_db, o.max_level_db);
        FirOptions fo;
        fo.taps = taps;
        fo.phase = FirPhase::minimum;
        fo.sample_rate = o.sample_rate;
        fo.max_boost_db = o.max_level_db;
        ChannelFilter f;
        f.channel = ch.name;
        f.fir = design_fir(grid, colour, fo).taps;
        set.channels.push_back(std::move(f));
    }
    set.validate();
    return set;
}

namespace {

std::vector<double> convolve(const std::vector<double>& a, const std::vector<double>& b) {
    const std::size_t len = a.size() + b.size() - 1, n = dsp::next_fast_size(len);
    auto x = dsp::rfft(a, n);
    const auto y = dsp::rfft(b, n);
    for (std::size_t k = 0; k < x.size(); ++k) x[k] *= y[k];
    auto out = dsp::irfft(x, n);
    out.resize(len);
    return out;
}

}  // namespace

FilterSet cascade(const FilterSet& first, const FilterSet& then) {
    if (std::abs(first.sample_rate.value - then.sample_rate.value) > 0.5)
        throw Error("cannot combine filters made for " + fmt(first.sample_rate.value) + " Hz and " +
                    fmt(then.sample_rate.value) + " Hz; make both for the rate the audio runs at");
    FilterSet out = first;
    out.latency_samples = first.latency_samples + then.latency_samples;
    out.preamp_db = first.preamp_db + then.preamp_db;
    out.needs_limiter = first.needs_limiter || then.needs_limiter;
    out.description = first.description.empty()  ? then.description
                      : then.description.empty() ? first.description
                                                 : first.description + "; " + then.description;
    for (const auto& t : then.channels) {
        auto it = std::find_if(out.channels.begin(), out.channels.end(),
                               [&](const ChannelFilter& c) { return c.channel == t.channel; });
        if (it == out.channels.end()) {
            out.channels.push_back(t);
            continue;
        }
        it->gain_db += t.gain_db;
        it->delay_samples += t.delay_samples;
        // Biquads of `then` would run after first's FIR; all of these are linear and time
        // invariant, so they may as well run after first's biquads.
        const bool described = it->parametric.size() == it->biquads.size() && t.parametric.size() == t.biquads.size();
        it->biquads.insert(it->biquads.end(), t.biquads.begin(), t.biquads.end());
        if (described)
            it->parametric.insert(it->parametric.end(), t.parametric.begin(), t.parametric.end());
        else
            it->parametric.clear();
        if (it->fir.empty())
            it->fir = t.fir;
        else if (!t.fir.empty())
            it->fir = convolve(it->fir, t.fir);
    }
    out.validate();
    return out;
}

}  // namespace roomcal::correct

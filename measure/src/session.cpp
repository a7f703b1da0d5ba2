// Measurement session: level check, takes, averaging and repeatability.
#include "roomcal/measure/session.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/measure/response.hpp"
#include "roomcal/measure/smoothing.hpp"

namespace roomcal::measure {
namespace {

constexpr double check_tone_dbfs = -40.0;
constexpr double clip_margin_db = 3.0;
constexpr int max_attempts = 3;  // room modes can lift the sweep's peak over the 1 kHz tone's

// Amplitude of the component at `freq` (projection on its sine and cosine): the check
// tone measured where it is, not drowned by broadband noise such as rumble.
double tone_amplitude(std::span<const double> x, double freq, double fs) {
    double c = 0.0, s = 0.0;
    for (std::size_t n = 0; n < x.size(); ++n) {
        const double ph = 2 * std::numbers::pi * freq * static_cast<double>(n) / fs;
        c += x[n] * std::cos(ph);
        s += x[n] * std::sin(ph);
    }
    return x.empty() ? 0.0 : 2.0 * std::hypot(c, s) / static_cast<double>(x.size());
}

FrequencyResponse smoothed_magnitude(const ImpulseResponse& ir) {
    IrWindow w;
    w.right_ms = 1000.0 * static_cast<double>(ir.samples.size()) / ir.sample_rate.value;
    return smooth(frequency_response(ir, log_frequency_grid(100_Hz, 10_kHz, 24), w),
                  Smoothing{SmoothingKind::fractional_octave, 6});
}

}  // namespace

MeasurementSession::MeasurementSession(Recorder& recorder, SessionOptions options)
    : recorder_(recorder), options_(std::move(options)) {
    if (std::abs(options_.sweep.sample_rate.value - recorder_.sample_rate().value) > 0.5)
        throw UsageError("the sweep is at " + fmt(options_.sweep.sample_rate.value) + " Hz but the device runs at " +
                         fmt(recorder_.sample_rate().value) + " Hz; measure at the device's rate");
    if (options_.sweeps < 1 || options_.sweeps > 16) throw UsageError("sweeps per position must be 1 to 16");
    if (options_.loopback && !recorder_.has_loopback())
        throw UsageError("no loopback input is set up on " + recorder_.describe());
    const auto outs = recorder_.output_channels();
    if (options_.timing_reference && std::find(outs.begin(), outs.end(), *options_.timing_reference) == outs.end())
        throw UsageError("timing reference channel \"" + *options_.timing_reference + "\" is not an output of " +
                         recorder_.describe());
    sweep_ = make_sweep(options_.sweep);
}

LevelCheck MeasurementSession::check_level(const std::string& channel, const SessionProgress& progress) {
    const double fs = sweep_.spec.sample_rate.value;
    const auto quiet = static_cast<std::size_t>(0.3 * fs);
    const auto tone = static_cast<std::size_t>(0.5 * fs);
    const auto fade = static_cast<std::size_t>(0.02 * fs);
    std::vector<double> signal(quiet + tone, 0.0);
    const double amp = db_to_gain(check_tone_dbfs);
    for (std::size_t n = 0; n < tone; ++n) {
        double g = amp;
        if (n < fade) g *= 0.5 - 0.5 * std::cos(std::numbers::pi * static_cast<double>(n) / static_cast<double>(fade));
        if (tone - 1 - n < fade)
            g *= 0.5 - 0.5 * std::cos(std::numbers::pi * static_cast<double>(tone - 1 - n) / static_cast<double>(fade));
        signal[quiet + n] = g * std::sin(2 * std::numbers::pi * 1000.0 * static_cast<double>(n) / fs);
    }
    const auto take = recorder_.play_and_record({{channel, signal}}, static_cast<std::size_t>(0.2 * fs),
                                                [&](const RecorderProgress& p) {
                                                    if (progress) progress("level check", p);
                                                });
    const auto mic = take.audio.channel(0);
    // Equal stretches (so equal bandwidth) of the quiet start, before any latency lets the
    // tone in, and of the tone's middle.
    const auto stretch = static_cast<std::size_t>(0.25 * fs);
    const double noise = tone_amplitude(mic.subspan(0, stretch), 1000.0, fs);
    const double level = tone_amplitude(mic.subspan(quiet + tone / 4, stretch), 1000.0, fs);
    LevelCheck c;
    c.tone_dbfs = check_tone_dbfs;
    c.recorded_dbfs = level > 0 ? gain_to_db(level) : -400.0;
    c.snr_db = noise > 0 ? gain_to_db(level / noise) : 200.0;
    c.predicted_peak_dbfs = c.recorded_dbfs + (options_.sweep.level_dbfs - check_tone_dbfs);
    if (c.snr_db < 6.0)
        throw Error("no signal from loudspeaker " + channel + " reaches the mic (check tone " + fmt(c.snr_db, 3) +
                    " dB above the noise): check the output channel, the amplifier, the cables and the mic");
    if (c.predicted_peak_dbfs > -clip_margin_db)
        throw Error("at " + fmt(options_.sweep.level_dbfs, 3) + " dBFS the sweep would reach about " +
                    fmt(c.predicted_peak_dbfs, 3) +
                    " dBFS at the mic input and clip: lower the input gain or --level by " +
                    fmt(std::ceil(c.predicted_peak_dbfs + 6.0), 3) + " dB");
    if (c.predicted_peak_dbfs < -55.0)
        throw Error("the sweep would arrive at only about " + fmt(c.predicted_peak_dbfs, 3) +
                    " dBFS: raise the mic input gain (or carefully --level) and measure again");
    return c;
}

TakeResult MeasurementSession::measure(const std::string& channel, int position, const SessionProgress& progress) {
    recorder_.set_position(position);
    const double fs = sweep_.spec.sample_rate.value;
    std::vector<std::pair<std::string, std::vector<double>>> playback;
    if (options_.timing_reference && *options_.timing_reference != channel) {
        // Acoustic timing reference: the markers from the reference loudspeaker, the sweep
        // alone from this one, so this channel's delay is measured against the reference's.
        std::vector<double> sweep_only(sweep_.signal.size(), 0.0);
        std::copy(sweep_.sweep.begin(), sweep_.sweep.end(),
                  sweep_only.begin() + static_cast<long>(sweep_.sweep_offset));
        std::vector<double> markers_only = sweep_.signal;
        std::fill(markers_only.begin() + static_cast<long>(sweep_.sweep_offset),
                  markers_only.begin() + static_cast<long>(sweep_.sweep_offset + sweep_.sweep_samples), 0.0);
        playback = {{channel, std::move(sweep_only)}, {*options_.timing_reference, std::move(markers_only)}};
    } else {
        playback = {{channel, sweep_.signal}};
    }

    AnalysisOptions ao;
    ao.compensate_drift = options_.compensate_drift;
    if (options_.loopback) ao.loopback_channel = 1;
    std::vector<RecordingAnalysis> takes;
    const auto extra = static_cast<std::size_t>(0.25 * fs);
    for (int k = 0; k < options_.sweeps; ++k) {
        const auto stage = "sweep " + std::to_string(k + 1) + "/" + std::to_string(options_.sweeps);
        // A take during which the device dropped buffers has gaps in it, even when the
        // timing holds: it is played again, a few times at most. Dropouts while the
        // streams start (JACK rewiring, devices settling) fall in the leading silence,
        // before anything is played, and spoil nothing.
        for (int attempt = 1;; ++attempt) {
            const auto rec = recorder_.play_and_record(playback, extra, [&](const RecorderProgress& p) {
                if (progress) progress(stage, p);
            });
            const std::size_t settle = sweep_.has_markers() ? sweep_.marker_offsets[0] / 2 : 0;
            if (rec.dropouts == 0 || rec.last_dropout_frame <= settle) {
                takes.push_back(analyze_recording(rec.audio.view(), sweep_, ao));
                break;
            }
            if (attempt == max_attempts)
                throw Error("the audio device dropped samples in every try of " + stage + " (" +
                            std::to_string(rec.dropouts) +
                            " overflows/underflows the last time): close other audio "
                            "programs, raise the buffer size (--buffer), and measure again");
        }
    }

    TakeResult result;
    result.analysis = takes.front();
    if (takes.size() > 1) {
        // The takes share the timing reference, so their samples line up: average them.
        std::size_t len = takes.front().impulse_response.samples.size();
        for (const auto& t : takes) len = std::min(len, t.impulse_response.samples.size());
        auto& avg = result.analysis.impulse_response.samples;
        avg.assign(len, 0.0);
        for (const auto& t : takes)
            for (std::size_t i = 0; i < len; ++i)
                avg[i] += t.impulse_response.samples[i] / static_cast<double>(takes.size());
        result.analysis.decay = decay_times(result.analysis.impulse_response);

        std::vector<FrequencyResponse> mags;
        mags.reserve(takes.size());
        for (const auto& t : takes) mags.push_back(smoothed_magnitude(t.impulse_response));
        for (std::size_t i = 0; i < mags.front().size(); ++i) {
            double mean = 0.0;
            for (const auto& m : mags) mean += m.magnitude_db[i] / static_cast<double>(mags.size());
            for (const auto& m : mags)
                if (std::abs(m.magnitude_db[i] - mean) > result.repeatability_db) {
                    result.repeatability_db = std::abs(m.magnitude_db[i] - mean);
                    result.repeatability_at_hz = m.frequency_hz[i];
                }
        }
        if (result.repeatability_db > 1.0)
            result.analysis.warnings.push_back(
                "the sweeps differ by " + fmt(result.repeatability_db, 2) + " dB at " +
                fmt(result.repeatability_at_hz, 4) +
                " Hz: something moved or the room was noisy; measure this position again");
    }
    Measurement& m = result.measurement;
    m.position = position;
    m.impulse_response = result.analysis.impulse_response;
    m.delay_samples = result.analysis.arrival_samples;
    m.timing = to_string(result.analysis.timing);
    return result;
}

}  // namespace roomcal::measure

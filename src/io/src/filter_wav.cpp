// Impulse-response WAVs of corrections: rendered by dsp/filter_render, written through
// io/audio_file (libsndfile, atomic).
#include "roomcal/io/filter_wav.hpp"

#include <cmath>
#include <string>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/dsp/filter_render.hpp"
#include "roomcal/io/audio_file.hpp"

namespace roomcal::io {
namespace {

// Energy the first `taps` samples leave out, relative to the whole response.
double tail_db(const std::vector<double>& long_response, std::size_t taps) {
    double head = 0.0, tail = 0.0;
    for (std::size_t i = 0; i < long_response.size(); ++i)
        (i < taps ? head : tail) += long_response[i] * long_response[i];
    if (tail <= 0.0) return -400.0;
    return 10.0 * std::log10(tail / (head + tail));
}

}  // namespace

void write_fir_wav(const FilterSet& set, const std::filesystem::path& path, std::size_t taps) {
    set.validate();
    if (set.channels.empty()) throw Error("the correction at " + fmt(set.sample_rate.value) + " Hz has no channels");
    const std::string rate = fmt(set.sample_rate.value);
    AudioBuffer<double> audio(set.channels.size(), taps);
    for (std::size_t ci = 0; ci < set.channels.size(); ++ci) {
        const auto& c = set.channels[ci];
        const auto needed = static_cast<std::size_t>(std::llround(c.delay_samples)) + c.fir.size();
        if (taps < needed)
            throw UsageError("channel " + c.channel + " at " + rate + " Hz needs " + std::to_string(needed) +
                             " taps (its delay and FIR); a " + std::to_string(taps) +
                             "-tap file would cut it off; ask for more taps");
        // Rendering twice the length shows what the cut leaves out of the recursive tails.
        const auto long_response = dsp::render_impulse_response(c, set.sample_rate, 2 * taps, true);
        const double lost = tail_db(long_response, taps);
        if (lost > -60.0)
            throw UsageError("channel " + c.channel + " at " + rate + " Hz rings longer than " + std::to_string(taps) +
                             " taps (the cut would drop " + fmt(lost, 3) + " dB of its energy); ask for " +
                             std::to_string(2 * taps) + " taps or more");
        std::copy(long_response.begin(), long_response.begin() + static_cast<std::ptrdiff_t>(taps),
                  audio.channel(ci).begin());
    }
    write_audio(path, audio.view(), set.sample_rate, AudioWriteFormat::wav_float32);
}

FirWav read_fir_wav(const std::filesystem::path& path) {
    const auto file = read_audio_double(path);
    FirWav out;
    out.sample_rate = file.info.sample_rate;
    for (std::size_t c = 0; c < file.audio.num_channels(); ++c) {
        const auto ch = file.audio.channel(c);
        for (const double x : ch)
            if (!std::isfinite(x))
                throw Error(path.string() + ": channel " + std::to_string(c + 1) +
                            " holds a NaN or Inf sample; the filter is corrupt, export it again");
        out.channels.emplace_back(ch.begin(), ch.end());
    }
    return out;
}

void write_channel_fir_wav(const ChannelFilter& channel, Hz rate, const std::filesystem::path& path) {
    if (channel.fir.empty()) throw Error("channel " + channel.channel + " has no FIR to write to " + path.string());
    AudioBuffer<double> audio(1, channel.fir.size());
    std::copy(channel.fir.begin(), channel.fir.end(), audio.channel(0).begin());
    write_audio(path, audio.view(), rate, AudioWriteFormat::wav_float32);
}

}  // namespace roomcal::io

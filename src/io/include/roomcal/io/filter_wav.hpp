// Corrections as impulse-response WAV files (float32) for convolvers: the whole
// correction of every channel (gain, delay, biquads, FIR) in one multichannel file, or a
// channel's FIR alone beside a text export (CamillaDSP Conv, Equalizer APO Convolution).
#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

#include "roomcal/core/filter_set.hpp"
#include "roomcal/core/units.hpp"

namespace roomcal::io {

// One channel per speaker channel, in the set's order, each the first `taps` samples of
// its impulse response with the delay included (dsp::render_impulse_response). Written
// atomically. Throws roomcal::UsageError when `taps` cannot hold a channel: shorter than
// its delay plus FIR, or cutting off a tail holding more than -60 dB of its energy
// (the message names the length to ask for); roomcal::Error if the set is invalid.
void write_fir_wav(const FilterSet& set, const std::filesystem::path& path, std::size_t taps);

struct FirWav {
    Hz sample_rate{0.0};
    std::vector<std::vector<double>> channels;  // taps per channel, in file order
};

// Any WAV/FLAC impulse-response file; throws roomcal::Error naming the file when it
// cannot be read or holds a NaN or Inf.
FirWav read_fir_wav(const std::filesystem::path& path);

// The channel's FIR taps alone, mono float32, written atomically. Throws roomcal::Error
// when the channel has no FIR.
void write_channel_fir_wav(const ChannelFilter& channel, Hz rate, const std::filesystem::path& path);

}  // namespace roomcal::io

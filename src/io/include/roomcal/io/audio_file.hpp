// Audio files through libsndfile: read WAV/FLAC/AIFF/W64/... to float or double,
// write WAV (float32, 24- or 16-bit) and FLAC (24- or 16-bit) atomically.
#pragma once

#include <filesystem>
#include <string>

#include "roomcal/core/audio_buffer.hpp"
#include "roomcal/core/units.hpp"

namespace roomcal::io {

struct AudioFileInfo {
    Hz sample_rate{0.0};
    std::size_t num_channels = 0;
    std::size_t num_frames = 0;
    std::string format;  // human-readable, e.g. "WAV float32", "FLAC 24-bit"
};

template <typename T>
struct AudioFile {
    AudioBuffer<T> audio;
    AudioFileInfo info;
};

enum class AudioWriteFormat { wav_float32, wav_pcm24, wav_pcm16, flac_pcm24, flac_pcm16 };

// The format a path's extension asks for: .flac -> FLAC 24-bit, anything else -> WAV float32.
AudioWriteFormat format_for_path(const std::filesystem::path& path);

// Header only; throws roomcal::Error naming the file and the reason.
AudioFileInfo probe_audio(const std::filesystem::path& path);

// Whole file, planar. Throws roomcal::Error for a missing, unreadable, empty or
// truncated file, naming the file and what to do.
AudioFile<float> read_audio(const std::filesystem::path& path);
AudioFile<double> read_audio_double(const std::filesystem::path& path);

// Writes to a temporary file beside `path`, then renames: a failed write leaves the
// previous file (or nothing) behind. Samples beyond ±1 are clipped for integer formats.
void write_audio(const std::filesystem::path& path, AudioView<const float> audio, Hz sample_rate,
                 AudioWriteFormat format);
void write_audio(const std::filesystem::path& path, AudioView<const double> audio, Hz sample_rate,
                 AudioWriteFormat format);

}  // namespace roomcal::io

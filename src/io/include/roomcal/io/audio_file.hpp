// Audio files through libsndfile: read WAV/FLAC/AIFF/W64/... to float or double,
// write WAV (float32, 24- or 16-bit) and FLAC (24- or 16-bit) atomically.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
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

// A file read a chunk at a time, planar: what a long render streams instead of holding the
// whole file. Opens and checks as read_audio() does.
class AudioReader {
public:
    explicit AudioReader(const std::filesystem::path& path);
    ~AudioReader();
    AudioReader(const AudioReader&) = delete;
    AudioReader& operator=(const AudioReader&) = delete;

    const AudioFileInfo& info() const { return info_; }
    // Reads up to `frames` frames into out[0..channels)[0..frames) and returns how many (0
    // once the file has ended). Throws roomcal::Error naming the file for NaN or Inf samples
    // (with the channel and the time) or a file that ends before its header says.
    std::size_t read(float* const* out, std::size_t frames);

private:
    struct File;
    std::unique_ptr<File> file_;
    std::filesystem::path path_;
    AudioFileInfo info_;
    std::size_t done_ = 0;
};

// Gives a producer the writing end of an audio file: each call appends `frames` frames of
// planar audio.
using AudioChunkWriter = std::function<void(const float* const* planar, std::size_t frames)>;

// Writes `channels` channels at `sample_rate` as write_audio() does (atomically, clipped
// for integer formats) from what `produce` hands its writer, however many calls it makes.
// If `produce` throws, nothing is left at `path` but what was there before.
void write_audio_stream(const std::filesystem::path& path, std::size_t channels, Hz sample_rate,
                        AudioWriteFormat format, const std::function<void(const AudioChunkWriter&)>& produce);

}  // namespace roomcal::io

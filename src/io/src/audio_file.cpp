// libsndfile reading and atomic writing of audio files.
#include "roomcal/io/audio_file.hpp"

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "roomcal/core/atomic_file.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"

namespace roomcal::io {
namespace fs = std::filesystem;
namespace {

struct SndfileCloser {
    void operator()(SNDFILE* f) const noexcept { sf_close(f); }
};
using SndfilePtr = std::unique_ptr<SNDFILE, SndfileCloser>;

std::string describe_format(int format) {
    std::string container;
    switch (format & SF_FORMAT_TYPEMASK) {
        case SF_FORMAT_WAV:
            container = "WAV";
            break;
        case SF_FORMAT_WAVEX:
            container = "WAV (extensible)";
            break;
        case SF_FORMAT_FLAC:
            container = "FLAC";
            break;
        case SF_FORMAT_AIFF:
            container = "AIFF";
            break;
        case SF_FORMAT_W64:
            container = "W64";
            break;
        case SF_FORMAT_RF64:
            container = "RF64";
            break;
        case SF_FORMAT_CAF:
            container = "CAF";
            break;
        case SF_FORMAT_OGG:
            container = "Ogg";
            break;
        default:
            container = "audio";
            break;
    }
    std::string sample;
    switch (format & SF_FORMAT_SUBMASK) {
        case SF_FORMAT_PCM_S8:
        case SF_FORMAT_PCM_U8:
            sample = "8-bit";
            break;
        case SF_FORMAT_PCM_16:
            sample = "16-bit";
            break;
        case SF_FORMAT_PCM_24:
            sample = "24-bit";
            break;
        case SF_FORMAT_PCM_32:
            sample = "32-bit";
            break;
        case SF_FORMAT_FLOAT:
            sample = "float32";
            break;
        case SF_FORMAT_DOUBLE:
            sample = "float64";
            break;
        case SF_FORMAT_VORBIS:
            sample = "Vorbis";
            break;
        default:
            sample = "encoded";
            break;
    }
    return container + " " + sample;
}

SndfilePtr open_for_reading(const fs::path& path, SF_INFO& info) {
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw Error("cannot read " + path.string() + ": the file does not exist; check the path");
    if (fs::is_directory(path, ec)) throw Error("cannot read " + path.string() + ": it is a folder, not an audio file");
    info = SF_INFO{};
    SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
    if (!f)
        throw Error("cannot read " + path.string() + ": " + sf_strerror(nullptr) +
                    " (expected WAV, FLAC, AIFF or W64 audio)");
    if (info.frames <= 0 || info.channels <= 0) {
        sf_close(f);
        throw Error("cannot read " + path.string() + ": the file contains no audio");
    }
    if (info.samplerate <= 0) {
        sf_close(f);
        throw Error("cannot read " + path.string() + ": the header gives no valid sample rate");
    }
    // libsndfile quietly shortens a file whose data chunk runs past the end of the file
    // and notes it in its log as "data : N (should be M)": a recording cut short.
    char log[8192] = {};
    sf_command(f, SFC_GET_LOG_INFO, log, sizeof log);
    for (const char* chunk : {"data :", "SSND :"})
        if (const char* at = std::strstr(log, chunk)) {
            const char* eol = std::strchr(at, '\n');
            const std::string line(at, eol ? eol : at + std::strlen(at));
            if (line.find("should be") != std::string::npos) {
                sf_close(f);
                throw Error("cannot read " + path.string() +
                            ": the file is truncated (its header promises more audio than it holds); "
                            "re-export or re-record it");
            }
        }
    return SndfilePtr(f);
}

AudioFileInfo to_info(const SF_INFO& sf) {
    return {Hz(static_cast<double>(sf.samplerate)), static_cast<std::size_t>(sf.channels),
            static_cast<std::size_t>(sf.frames), describe_format(sf.format)};
}

sf_count_t read_frames(SNDFILE* f, float* dst, sf_count_t frames) { return sf_readf_float(f, dst, frames); }
sf_count_t read_frames(SNDFILE* f, double* dst, sf_count_t frames) { return sf_readf_double(f, dst, frames); }
sf_count_t write_frames(SNDFILE* f, const float* src, sf_count_t frames) { return sf_writef_float(f, src, frames); }
sf_count_t write_frames(SNDFILE* f, const double* src, sf_count_t frames) { return sf_writef_double(f, src, frames); }

// Reads up to `frames` frames of an open file, de-interleaved into out[c] (through
// `interleaved`, which grows as needed), after `done` frames read before; checks every
// sample is finite. Returns the frames read.
template <typename T>
std::size_t read_chunk(SNDFILE* f, const fs::path& path, double rate, std::size_t nch, std::vector<T>& interleaved,
                       T* const* out, std::size_t frames, std::size_t done) {
    if (interleaved.size() < frames * nch) interleaved.resize(frames * nch);
    const sf_count_t got = read_frames(f, interleaved.data(), static_cast<sf_count_t>(frames));
    if (got <= 0) return 0;
    const auto n = static_cast<std::size_t>(got);
    for (std::size_t c = 0; c < nch; ++c) {
        T* o = out[c];
        const T* in = interleaved.data() + c;
        bool finite = true;
        for (std::size_t i = 0; i < n; ++i) {
            o[i] = in[i * nch];
            finite &= std::isfinite(o[i]);
        }
        if (!finite)
            for (std::size_t i = 0; i < n; ++i)
                if (!std::isfinite(o[i]))
                    throw Error("cannot read " + path.string() + ": channel " + std::to_string(c + 1) +
                                " holds a NaN or Inf sample at " + fmt(static_cast<double>(done + i) / rate, 6) +
                                " s; the file is corrupt");
    }
    return n;
}

[[noreturn]] void throw_truncated(const fs::path& path, std::size_t frames, std::size_t done) {
    throw Error("cannot read " + path.string() + ": the file is truncated (header says " + std::to_string(frames) +
                " frames, only " + std::to_string(done) + " could be read); re-export or re-record it");
}

template <typename T>
AudioFile<T> read_any(const fs::path& path) {
    SF_INFO sf;
    auto file = open_for_reading(path, sf);
    AudioFile<T> result;
    result.info = to_info(sf);
    const std::size_t nch = result.info.num_channels;
    const std::size_t frames = result.info.num_frames;
    result.audio.resize(nch, frames);

    // Read in chunks and de-interleave, so a long file needs no second full-size copy.
    constexpr std::size_t chunk = 16384;
    std::vector<T> interleaved;
    std::vector<T*> out(nch);
    std::size_t done = 0;
    while (done < frames) {
        for (std::size_t c = 0; c < nch; ++c) out[c] = result.audio.channel(c).data() + done;
        const std::size_t got = read_chunk(file.get(), path, result.info.sample_rate.value, nch, interleaved,
                                           out.data(), std::min(chunk, frames - done), done);
        if (got == 0) break;
        done += got;
    }
    if (done != frames) throw_truncated(path, frames, done);
    return result;
}

int sndfile_format(AudioWriteFormat f) {
    switch (f) {
        case AudioWriteFormat::wav_float32:
            return SF_FORMAT_WAV | SF_FORMAT_FLOAT;
        case AudioWriteFormat::wav_pcm24:
            return SF_FORMAT_WAV | SF_FORMAT_PCM_24;
        case AudioWriteFormat::wav_pcm16:
            return SF_FORMAT_WAV | SF_FORMAT_PCM_16;
        case AudioWriteFormat::flac_pcm24:
            return SF_FORMAT_FLAC | SF_FORMAT_PCM_24;
        case AudioWriteFormat::flac_pcm16:
            return SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
    }
    return SF_FORMAT_WAV | SF_FORMAT_FLOAT;
}

template <typename T>
void write_stream_any(const fs::path& path, std::size_t nch, Hz sample_rate, AudioWriteFormat format,
                      const std::function<void(const std::function<void(const T* const*, std::size_t)>&)>& produce) {
    if (nch == 0) throw Error("cannot write " + path.string() + ": no channels to write");
    const double rate = std::round(sample_rate.value);
    if (!(rate >= 1.0 && rate <= 768000.0))
        throw Error("cannot write " + path.string() + ": sample rate " + fmt(sample_rate.value) +
                    " Hz is out of range");
    if (format == AudioWriteFormat::flac_pcm16 || format == AudioWriteFormat::flac_pcm24) {
        if (nch > 8)
            throw Error("cannot write " + path.string() + ": FLAC holds at most 8 channels; write WAV instead");
        if (rate > 655350.0) throw Error("cannot write " + path.string() + ": rate too high for FLAC; write WAV");
    }
    write_file_atomically(path, [&](const fs::path& temp) {
        SF_INFO sf{};
        sf.samplerate = static_cast<int>(rate);
        sf.channels = static_cast<int>(nch);
        sf.format = sndfile_format(format);
        SndfilePtr file(sf_open(temp.c_str(), SFM_WRITE, &sf));
        if (!file) throw Error("cannot write " + path.string() + ": " + sf_strerror(nullptr));
        // Integer formats clip rather than wrap values beyond full scale.
        sf_command(file.get(), SFC_SET_CLIPPING, nullptr, SF_TRUE);
        constexpr std::size_t chunk = 16384;
        std::vector<T> interleaved(chunk * nch);
        produce([&](const T* const* planar, std::size_t frames) {
            for (std::size_t start = 0; start < frames; start += chunk) {
                const std::size_t n = std::min(chunk, frames - start);
                for (std::size_t c = 0; c < nch; ++c) {
                    const T* in = planar[c] + start;
                    T* o = interleaved.data() + c;
                    for (std::size_t i = 0; i < n; ++i) o[i * nch] = in[i];
                }
                if (write_frames(file.get(), interleaved.data(), static_cast<sf_count_t>(n)) !=
                    static_cast<sf_count_t>(n))
                    throw Error("cannot write " + path.string() + ": " + sf_strerror(file.get()) + " (disk full?)");
            }
        });
        if (sf_close(file.release()) != 0) throw Error("cannot finish writing " + path.string());
    });
}

template <typename T>
void write_any(const fs::path& path, AudioView<const T> audio, Hz sample_rate, AudioWriteFormat format) {
    write_stream_any<T>(path, audio.num_channels(), sample_rate, format, [&](const auto& write) {
        std::vector<const T*> planar(audio.num_channels());
        for (std::size_t c = 0; c < planar.size(); ++c) planar[c] = audio.channel(c).data();
        write(planar.data(), audio.num_frames());
    });
}

}  // namespace

AudioWriteFormat format_for_path(const fs::path& path) {
    auto ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext == ".flac" ? AudioWriteFormat::flac_pcm24 : AudioWriteFormat::wav_float32;
}

AudioFileInfo probe_audio(const fs::path& path) {
    SF_INFO sf;
    auto file = open_for_reading(path, sf);
    return to_info(sf);
}

AudioFile<float> read_audio(const fs::path& path) { return read_any<float>(path); }
AudioFile<double> read_audio_double(const fs::path& path) { return read_any<double>(path); }

void write_audio(const fs::path& path, AudioView<const float> audio, Hz sample_rate, AudioWriteFormat format) {
    write_any<float>(path, audio, sample_rate, format);
}
void write_audio(const fs::path& path, AudioView<const double> audio, Hz sample_rate, AudioWriteFormat format) {
    write_any<double>(path, audio, sample_rate, format);
}

struct AudioReader::File {
    SndfilePtr sndfile;
    std::vector<float> interleaved;
};

AudioReader::AudioReader(const fs::path& path) : file_(std::make_unique<File>()), path_(path) {
    SF_INFO sf;
    file_->sndfile = open_for_reading(path, sf);
    info_ = to_info(sf);
}

AudioReader::~AudioReader() = default;

std::size_t AudioReader::read(float* const* out, std::size_t frames) {
    const std::size_t want = std::min(frames, info_.num_frames - done_);
    if (want == 0) return 0;
    const std::size_t got = read_chunk(file_->sndfile.get(), path_, info_.sample_rate.value, info_.num_channels,
                                       file_->interleaved, out, want, done_);
    if (got == 0) throw_truncated(path_, info_.num_frames, done_);
    done_ += got;
    return got;
}

void write_audio_stream(const fs::path& path, std::size_t channels, Hz sample_rate, AudioWriteFormat format,
                        const std::function<void(const AudioChunkWriter&)>& produce) {
    write_stream_any<float>(path, channels, sample_rate, format, produce);
}

}  // namespace roomcal::io

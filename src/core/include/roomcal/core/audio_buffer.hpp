// Multichannel audio: a non-owning view (channels × frames over per-channel spans)
// and an owning buffer that hands out views. Views never allocate, so the real-time
// path passes them around freely.
#pragma once

#include <cassert>
#include <cstddef>
#include <span>
#include <type_traits>
#include <vector>

namespace roomcal {

template <typename T>
class AudioView {
public:
    AudioView() = default;
    AudioView(T* const* channels, std::size_t num_channels, std::size_t num_frames, std::size_t offset = 0)
        : channels_(channels), num_channels_(num_channels), num_frames_(num_frames), offset_(offset) {}

    // A read-only view of a writable one.
    template <typename U = T, typename = std::enable_if_t<std::is_const_v<U>>>
    AudioView(const AudioView<std::remove_const_t<U>>& other)  // NOLINT(google-explicit-constructor)
        : AudioView(other.raw_channels(), other.num_channels(), other.num_frames(), other.offset()) {}

    std::size_t num_channels() const { return num_channels_; }
    std::size_t num_frames() const { return num_frames_; }
    bool empty() const { return num_channels_ == 0 || num_frames_ == 0; }

    std::span<T> channel(std::size_t c) const {
        assert(c < num_channels_);
        return {channels_[c] + offset_, num_frames_};
    }
    T& operator()(std::size_t c, std::size_t frame) const {
        assert(c < num_channels_ && frame < num_frames_);
        return channels_[c][offset_ + frame];
    }

    // Frames [first, first + count) of every channel; no allocation.
    AudioView frames(std::size_t first, std::size_t count) const {
        assert(first + count <= num_frames_);
        return AudioView(channels_, num_channels_, count, offset_ + first);
    }

    T* const* raw_channels() const { return channels_; }
    std::size_t offset() const { return offset_; }

private:
    T* const* channels_ = nullptr;
    std::size_t num_channels_ = 0;
    std::size_t num_frames_ = 0;
    std::size_t offset_ = 0;
};

// Owning planar buffer; storage is one contiguous block, channel after channel.
template <typename T>
class AudioBuffer {
public:
    AudioBuffer() = default;
    AudioBuffer(std::size_t num_channels, std::size_t num_frames) { resize(num_channels, num_frames); }

    AudioBuffer(const AudioBuffer& o) : data_(o.data_), num_channels_(o.num_channels_), num_frames_(o.num_frames_) {
        rebuild_pointers();
    }
    AudioBuffer& operator=(const AudioBuffer& o) {
        if (this != &o) {
            data_ = o.data_;
            num_channels_ = o.num_channels_;
            num_frames_ = o.num_frames_;
            rebuild_pointers();
        }
        return *this;
    }
    AudioBuffer(AudioBuffer&&) noexcept = default;
    AudioBuffer& operator=(AudioBuffer&&) noexcept = default;
    ~AudioBuffer() = default;

    void resize(std::size_t num_channels, std::size_t num_frames) {
        num_channels_ = num_channels;
        num_frames_ = num_frames;
        data_.assign(num_channels * num_frames, T{});
        rebuild_pointers();
    }

    std::size_t num_channels() const { return num_channels_; }
    std::size_t num_frames() const { return num_frames_; }

    std::span<T> channel(std::size_t c) { return {pointers_[c], num_frames_}; }
    std::span<const T> channel(std::size_t c) const { return {pointers_[c], num_frames_}; }
    T& operator()(std::size_t c, std::size_t f) { return pointers_[c][f]; }
    const T& operator()(std::size_t c, std::size_t f) const { return pointers_[c][f]; }

    AudioView<T> view() { return {pointers_.data(), num_channels_, num_frames_}; }
    AudioView<const T> view() const { return {const_pointers(), num_channels_, num_frames_}; }

private:
    void rebuild_pointers() {
        pointers_.resize(num_channels_);
        for (std::size_t c = 0; c < num_channels_; ++c) pointers_[c] = data_.data() + c * num_frames_;
    }
    const T* const* const_pointers() const { return pointers_.data(); }

    std::vector<T> data_;
    std::vector<T*> pointers_;
    std::size_t num_channels_ = 0;
    std::size_t num_frames_ = 0;
};

}  // namespace roomcal

// Wait-free single-producer/single-consumer ring of trivially copyable items, the
// hand-off from the audio thread to meters and recorders (Lamport queue with cached
// indices). Capacity is fixed at construction; push and pop never allocate.
#pragma once

#include <atomic>
#include <cstddef>
#include <new>
#include <span>
#include <type_traits>
#include <vector>

namespace roomcal::rt {

template <typename T>
class SpscRing {
    static_assert(std::is_trivially_copyable_v<T>, "SpscRing carries plain samples and records");

public:
    // [main thread] before either side runs. Holds up to `capacity` items.
    explicit SpscRing(std::size_t capacity) : buffer_(capacity + 1) {}

    std::size_t capacity() const { return buffer_.size() - 1; }

    // [producer thread] Pushes as many of `items` as fit; returns how many were pushed.
    std::size_t push(std::span<const T> items) noexcept {
        const std::size_t head = head_.load(std::memory_order_relaxed);
        const std::size_t tail = tail_.load(std::memory_order_acquire);
        const std::size_t n = buffer_.size();
        const std::size_t free_slots = (tail + n - head - 1) % n;
        const std::size_t count = items.size() < free_slots ? items.size() : free_slots;
        for (std::size_t i = 0; i < count; ++i) buffer_[(head + i) % n] = items[i];
        head_.store((head + count) % n, std::memory_order_release);
        return count;
    }

    // [consumer thread] Pops up to out.size() items; returns how many were popped.
    std::size_t pop(std::span<T> out) noexcept {
        const std::size_t tail = tail_.load(std::memory_order_relaxed);
        const std::size_t head = head_.load(std::memory_order_acquire);
        const std::size_t n = buffer_.size();
        const std::size_t available = (head + n - tail) % n;
        const std::size_t count = out.size() < available ? out.size() : available;
        for (std::size_t i = 0; i < count; ++i) out[i] = buffer_[(tail + i) % n];
        tail_.store((tail + count) % n, std::memory_order_release);
        return count;
    }

    // [any thread] A snapshot; exact only when called from one of the two sides.
    std::size_t size() const noexcept {
        const std::size_t n = buffer_.size();
        return (head_.load(std::memory_order_acquire) + n - tail_.load(std::memory_order_acquire)) % n;
    }

private:
    std::vector<T> buffer_;
    alignas(64) std::atomic<std::size_t> head_{0};
    alignas(64) std::atomic<std::size_t> tail_{0};
};

}  // namespace roomcal::rt

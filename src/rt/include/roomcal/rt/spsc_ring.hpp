// Wait-free single-producer/single-consumer ring of trivially copyable items, the
// hand-off from the audio thread to meters and recorders (Lamport queue with cached
// indices). Capacity is fixed at construction; push and pop never allocate.
#pragma once

#include <algorithm>
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
        // In at most two runs: the ring wraps once.
        const std::size_t first = count < n - head ? count : n - head;
        std::copy_n(items.data(), first, buffer_.data() + head);
        std::copy_n(items.data() + first, count - first, buffer_.data());
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
        const std::size_t first = count < n - tail ? count : n - tail;
        std::copy_n(buffer_.data() + tail, first, out.data());
        std::copy_n(buffer_.data(), count - first, out.data() + first);
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

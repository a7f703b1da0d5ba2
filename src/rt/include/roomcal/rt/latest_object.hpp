// Wait-free hand-over of whole objects (filter sets, chains) from the main thread to the
// audio thread, after chowdsp's RealtimeLatestObject: the audio thread takes the newest
// published object and hands the one it replaces back through a retire slot, so it never
// frees memory; the main thread deletes what comes back.
#pragma once

#include <atomic>
#include <memory>

namespace roomcal::rt {

template <typename T>
class LatestObject {
public:
    LatestObject() = default;
    LatestObject(const LatestObject&) = delete;
    LatestObject& operator=(const LatestObject&) = delete;
    ~LatestObject() {
        delete pending_.exchange(nullptr);
        delete retired_.exchange(nullptr);
    }

    // [main thread] Offers `next`; an offer the audio thread has not taken yet is replaced
    // and deleted here. Also deletes what the audio thread retired.
    void publish(std::unique_ptr<T> next) {
        delete pending_.exchange(next.release(), std::memory_order_acq_rel);
        collect();
    }

    // [main thread] Deletes the object the audio thread gave back, if any.
    void collect() { delete retired_.exchange(nullptr, std::memory_order_acq_rel); }

    // [audio thread] True when an offer waits and the retire slot is free to take the
    // object it would replace.
    bool ready() const noexcept {
        return pending_.load(std::memory_order_acquire) != nullptr &&
               retired_.load(std::memory_order_acquire) == nullptr;
    }

    // [audio thread] Takes the offer (or nullptr if there is none).
    T* take() noexcept { return pending_.exchange(nullptr, std::memory_order_acq_rel); }

    // [audio thread] Hands an object back for deletion; only after ready() said the slot
    // was free (nothing else writes it), so it never overwrites.
    void retire(T* old) noexcept {
        if (old) retired_.store(old, std::memory_order_release);
    }

private:
    std::atomic<T*> pending_{nullptr};
    std::atomic<T*> retired_{nullptr};
};

}  // namespace roomcal::rt

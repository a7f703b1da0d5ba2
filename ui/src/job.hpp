// Long work off the UI thread (measuring, fitting, comparing): a thread that runs a
// function with a progress sink, which the UI polls each frame without ever waiting.
// Cancelling asks the work to stop at its next progress report (it throws Cancelled
// there), so closing the window mid-measurement joins within one report.
#pragma once

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

namespace roomcal::ui {

// Thrown inside the work by Progress::report once cancel() was asked.
struct Cancelled : std::runtime_error {
    Cancelled() : std::runtime_error("cancelled") {}
};

class Progress {
public:
    // [worker thread] Publishes how far the work is (0..1) and what it does; throws
    // Cancelled when the UI asked it to stop.
    void report(double fraction, const std::string& stage) {
        {
            std::lock_guard lock(mutex_);
            stage_ = stage;
        }
        fraction_.store(fraction, std::memory_order_relaxed);
        if (cancel_.load(std::memory_order_relaxed)) throw Cancelled();
    }
    // [worker thread] Throws Cancelled when asked to stop.
    void check() const {
        if (cancel_.load(std::memory_order_relaxed)) throw Cancelled();
    }
    // [any thread]
    double fraction() const { return fraction_.load(std::memory_order_relaxed); }
    std::string stage() const {
        std::lock_guard lock(mutex_);
        return stage_;
    }
    void cancel() { cancel_.store(true, std::memory_order_relaxed); }
    bool cancelled() const { return cancel_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> fraction_{0.0};
    std::atomic<bool> cancel_{false};
    mutable std::mutex mutex_;
    std::string stage_;
};

// One piece of work producing a T. [main thread] for every method.
template <typename T>
class Job {
public:
    Job() = default;
    ~Job() { cancel_and_join(); }
    Job(const Job&) = delete;
    Job& operator=(const Job&) = delete;

    // Starts `work` on its own thread; a job still running is cancelled and joined first.
    void start(std::function<T(Progress&)> work) {
        cancel_and_join();
        progress_ = std::make_unique<Progress>();
        done_.store(false);
        result_.reset();
        error_.clear();
        was_cancelled_ = false;
        collected_ = false;
        Progress* p = progress_.get();
        thread_ = std::thread([this, p, work = std::move(work)] {
            try {
                T value = work(*p);
                std::lock_guard lock(mutex_);
                pending_ = std::move(value);
            } catch (const Cancelled&) {
                std::lock_guard lock(mutex_);
                pending_error_ = "cancelled";
                pending_cancelled_ = true;
            } catch (const std::exception& e) {
                std::lock_guard lock(mutex_);
                pending_error_ = e.what();
            }
            done_.store(true, std::memory_order_release);
        });
    }
    bool running() const { return thread_.joinable() && !done_.load(std::memory_order_acquire); }
    // True once, on the first poll after the work ended; then result() or error() says how.
    bool finished() {
        if (!thread_.joinable() || !done_.load(std::memory_order_acquire) || collected_) return false;
        thread_.join();
        std::lock_guard lock(mutex_);
        result_ = std::move(pending_);
        pending_.reset();
        error_ = pending_error_;
        was_cancelled_ = pending_cancelled_;
        pending_error_.clear();
        pending_cancelled_ = false;
        collected_ = true;
        return true;
    }
    double fraction() const { return progress_ ? progress_->fraction() : 0.0; }
    std::string stage() const { return progress_ ? progress_->stage() : std::string(); }
    std::optional<T>& result() { return result_; }
    const std::string& error() const { return error_; }
    bool cancelled() const { return was_cancelled_; }
    void cancel() {
        if (progress_) progress_->cancel();
    }
    void cancel_and_join() {
        cancel();
        if (thread_.joinable()) thread_.join();
        done_.store(false);
    }

private:
    std::thread thread_;
    std::unique_ptr<Progress> progress_;
    std::atomic<bool> done_{false};
    std::mutex mutex_;
    std::optional<T> pending_, result_;
    std::string pending_error_, error_;
    bool pending_cancelled_ = false, was_cancelled_ = false, collected_ = false;
};

}  // namespace roomcal::ui

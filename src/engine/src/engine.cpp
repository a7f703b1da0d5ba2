// The engine's block loop: correction swap and on/off crossfades, the dry path's delay,
// the output ceiling.
#include "roomcal/engine/engine.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "roomcal/core/error.hpp"

namespace roomcal::engine {

Engine::Engine(const EngineConfig& config) : config_(config) {
    if (config.channels.empty() || config.channels.size() > 64)
        throw UsageError("the engine runs 1–64 channels, not " + std::to_string(config.channels.size()));
    if (config.max_block == 0 || config.max_block > 65536) throw UsageError("the audio block must hold 1–65536 frames");
    if (!(config.sample_rate.value >= 8000.0 && config.sample_rate.value <= 384000.0))
        throw UsageError("the sample rate must lie in 8–384 kHz");
    if (!(config.crossfade_ms >= 1.0 && config.crossfade_ms <= 1000.0))
        throw UsageError("the crossfade must last 1–1000 ms");
    fade_samples_ = std::max<std::size_t>(
        1, static_cast<std::size_t>(std::llround(config.crossfade_ms * 1e-3 * config.sample_rate.value)));
    ceiling_ = static_cast<float>(std::pow(10.0, config.ceiling_db / 20.0));
    const std::size_t n = config.channels.size();
    auto buffers = [&](std::vector<std::vector<float>>& b, std::vector<float*>* ptr) {
        b.assign(n, std::vector<float>(config.max_block, 0.0f));
        if (ptr)
            for (auto& v : b) ptr->push_back(v.data());
    };
    buffers(wet_, &wet_ptr_);
    buffers(next_, &next_ptr_);
    buffers(dry_, nullptr);
    if (!(config.max_latency_s >= 0.0 && config.max_latency_s <= 10.0))
        throw UsageError("the longest correction latency must lie in 0–10 s");
    const auto max_latency = static_cast<std::size_t>(std::ceil(config.max_latency_s * config.sample_rate.value));
    dry_delay_.assign(n, std::vector<float>(max_latency + config.max_block + 1, 0.0f));
}

Engine::~Engine() { delete incoming_; }

void Engine::set_correction(std::unique_ptr<Correction> next) {
    if (next && (next->channels() != config_.channels.size() ||
                 std::abs(next->sample_rate().value - config_.sample_rate.value) > 0.5))
        throw Error("the correction was prepared for another rate or channel count than the engine runs");
    if (!next) {
        // No correction: an empty one that passes the signal through, so the swap still fades.
        FilterSet unity;
        unity.sample_rate = config_.sample_rate;
        for (const auto& c : config_.channels) unity.channels.push_back({c, 0.0, 0.0, {}, {}, {}});
        next = std::make_unique<Correction>(unity, config_.sample_rate, config_.max_block, config_.channels);
    }
    // The dry path must be able to wait as long as the longest correction.
    const std::size_t need = next->latency_samples() + config_.max_block + 1;
    if (need > dry_delay_.front().size())
        throw Error("the correction delays the sound by " + std::to_string(next->latency_samples()) +
                    " samples, more than the engine was prepared for; choose a minimum-phase correction or "
                    "restart the engine with a larger latency allowance");
    offered_.publish(std::move(next));
}

void Engine::start_with(std::unique_ptr<Correction> first) {
    if (first && (first->channels() != config_.channels.size() ||
                  std::abs(first->sample_rate().value - config_.sample_rate.value) > 0.5))
        throw Error("the correction was prepared for another rate or channel count than the engine runs");
    if (first && first->latency_samples() + config_.max_block + 1 > dry_delay_.front().size())
        throw Error("the correction delays the sound by " + std::to_string(first->latency_samples()) +
                    " samples, more than the engine was prepared for");
    current_ = std::move(first);
    latency_.store(current_ ? current_->latency_samples() : 0, std::memory_order_relaxed);
    enabled_gain_ = correction_enabled_.load() ? 1.0f : 0.0f;
    reset();
}

void Engine::collect() { offered_.collect(); }

void Engine::reset() {
    if (current_) current_->reset();
    for (auto& d : dry_delay_) std::fill(d.begin(), d.end(), 0.0f);
    dry_pos_ = 0;
}

void Engine::process(const float* const* in, float* const* out, std::size_t frames) noexcept {
    const std::size_t n = config_.channels.size();
    // Per-channel pointers on the stack: channel counts are small.
    const float* ip[64];
    float* op[64];
    const std::size_t channels = std::min<std::size_t>(n, 64);
    for (std::size_t done = 0; done < frames;) {
        const std::size_t m = std::min(frames - done, config_.max_block);
        for (std::size_t c = 0; c < channels; ++c) {
            ip[c] = in[c] + done;
            op[c] = out[c] + done;
        }
        process_block(ip, op, m);
        done += m;
    }
}

void Engine::process_block(const float* const* in, float* const* out, std::size_t frames) noexcept {
    const std::size_t n = config_.channels.size();
    if (!incoming_ && offered_.ready()) {
        incoming_ = offered_.take();
        swap_pos_ = 0;
    }
    // Dry, delayed by the current correction's latency.
    const std::size_t delay = current_ ? current_->latency_samples() : 0;
    const std::size_t ring = dry_delay_.front().size();
    for (std::size_t c = 0; c < n; ++c) {
        auto& d = dry_delay_[c];
        for (std::size_t i = 0; i < frames; ++i) {
            const std::size_t w = (dry_pos_ + i) % ring;
            d[w] = in[c][i];
            dry_[c][i] = d[(w + ring - delay % ring) % ring];
        }
    }
    dry_pos_ = (dry_pos_ + frames) % ring;

    if (current_)
        current_->process(in, wet_ptr_.data(), frames);
    else
        for (std::size_t c = 0; c < n; ++c) std::memcpy(wet_[c].data(), dry_[c].data(), frames * sizeof(float));
    if (incoming_) {
        incoming_->process(in, next_ptr_.data(), frames);
        const float step = 1.0f / static_cast<float>(fade_samples_);
        for (std::size_t c = 0; c < n; ++c)
            for (std::size_t i = 0; i < frames; ++i) {
                const float g = std::min(1.0f, static_cast<float>(swap_pos_ + i + 1) * step);
                wet_[c][i] += g * (next_[c][i] - wet_[c][i]);
            }
        swap_pos_ += frames;
        if (swap_pos_ >= fade_samples_) {
            offered_.retire(current_.release());
            current_.reset(incoming_);
            incoming_ = nullptr;
            latency_.store(current_->latency_samples(), std::memory_order_relaxed);
            crossfades_.fetch_add(1, std::memory_order_relaxed);
        }
    }

    const float target = correction_enabled_.load(std::memory_order_relaxed) ? 1.0f : 0.0f;
    const float step = 1.0f / static_cast<float>(fade_samples_);
    std::size_t clipped = 0;
    for (std::size_t i = 0; i < frames; ++i) {
        const float before = enabled_gain_;
        enabled_gain_ =
            target > enabled_gain_ ? std::min(target, enabled_gain_ + step) : std::max(target, enabled_gain_ - step);
        if (before != target && enabled_gain_ == target) crossfades_.fetch_add(1, std::memory_order_relaxed);
        for (std::size_t c = 0; c < n; ++c) {
            float y = dry_[c][i] + enabled_gain_ * (wet_[c][i] - dry_[c][i]);
            if (y > ceiling_ || y < -ceiling_) {
                y = y > 0.0f ? ceiling_ : -ceiling_;
                ++clipped;
            }
            out[c][i] = y;
        }
    }
    if (clipped) clipped_.fetch_add(clipped, std::memory_order_relaxed);
}

}  // namespace roomcal::engine

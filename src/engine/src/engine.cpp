// The engine's block loop: correction and chain swaps and on/off crossfades, the bypass
// paths' delays, the level match, the output ceiling.
#include "roomcal/engine/engine.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "delay_ring.hpp"
#include "roomcal/core/error.hpp"

namespace roomcal::engine {
namespace {

// One step of a linear ramp towards `target`, counting the switch when it arrives.
float ramp(float g, float target, float step, std::atomic<std::size_t>& done) noexcept {
    if (g == target) return g;
    g = target > g ? std::min(target, g + step) : std::max(target, g - step);
    if (g == target) done.fetch_add(1, std::memory_order_relaxed);
    return g;
}

}  // namespace

Engine::Engine(const EngineConfig& config) : config_(config), match_(config.sample_rate, config.channels.size()) {
    if (config.channels.empty() || config.channels.size() > 64)
        throw UsageError("the engine runs 1–64 channels, not " + std::to_string(config.channels.size()));
    if (config.max_block == 0 || config.max_block > 65536) throw UsageError("the audio block must hold 1–65536 frames");
    if (!(config.sample_rate.value >= 8000.0 && config.sample_rate.value <= 384000.0))
        throw UsageError("the sample rate must lie in 8–384 kHz");
    if (!(config.crossfade_ms >= 1.0 && config.crossfade_ms <= 1000.0))
        throw UsageError("the crossfade must last 1–1000 ms");
    if (!(config.max_latency_s >= 0.0 && config.max_latency_s <= 10.0))
        throw UsageError("the longest correction latency must lie in 0–10 s");
    fade_samples_ = std::max<std::size_t>(
        1, static_cast<std::size_t>(std::llround(config.crossfade_ms * 1e-3 * config.sample_rate.value)));
    ceiling_ = static_cast<float>(std::pow(10.0, config.ceiling_db / 20.0));
    const std::size_t n = config.channels.size();
    // A fixed engine runs in place in the caller's buffers: none of these.
    const std::size_t frames = config.switchable ? config.max_block : 0;
    auto buffers = [&](std::vector<std::vector<float>>& b, std::vector<float*>* ptr) {
        b.assign(n, std::vector<float>(frames, 0.0f));
        if (ptr)
            for (auto& v : b) ptr->push_back(v.data());
    };
    buffers(wet_, &wet_ptr_);
    buffers(next_, &next_ptr_);
    buffers(dry_, nullptr);
    buffers(post_, &post_ptr_);
    buffers(bypass_, &bypass_ptr_);
    buffers(proc_, &proc_ptr_);
    buffers(proc_next_, &proc_next_ptr_);
    const auto max_latency = static_cast<std::size_t>(std::ceil(config.max_latency_s * config.sample_rate.value));
    if (config.switchable) dry_delay_.assign(n, std::vector<float>(max_latency + config.max_block + 1, 0.0f));
    chain_latency_ = config.mastering_chain ? Chain::latency_at(config.sample_rate) : 0;
    chain_delay_.assign(n, std::vector<float>(chain_latency_ + config.max_block + 1, 0.0f));
    latency_.store(chain_latency_);
}

Engine::~Engine() {
    delete incoming_;
    delete chain_incoming_;
}

void Engine::check(const Correction& c) const {
    if (c.channels() != config_.channels.size() || std::abs(c.sample_rate().value - config_.sample_rate.value) > 0.5)
        throw Error("the correction was prepared for another rate or channel count than the engine runs");
    if (config_.switchable && c.latency_samples() + config_.max_block + 1 > dry_delay_.front().size())
        throw Error("the correction delays the sound by " + std::to_string(c.latency_samples()) +
                    " samples, more than the engine was prepared for; choose a minimum-phase correction or "
                    "restart the engine with a larger latency allowance");
}

void Engine::check(const Chain& c) const {
    if (!config_.mastering_chain) throw Error("this engine was prepared without a mastering chain");
    if (c.channels() != config_.channels.size() || std::abs(c.sample_rate().value - config_.sample_rate.value) > 0.5 ||
        c.latency_samples() != chain_latency_)
        throw Error("the chain was prepared for another rate or channel count than the engine runs");
}

void Engine::set_correction(std::unique_ptr<Correction> next) {
    if (!config_.switchable) throw Error("this engine runs one correction from start to end; it cannot switch");
    if (!next) {
        // No correction: one that passes the signal through, so the swap still fades.
        FilterSet unity;
        unity.sample_rate = config_.sample_rate;
        for (const auto& c : config_.channels) unity.channels.push_back({c, 0.0, 0.0, {}, {}, {}});
        next = std::make_unique<Correction>(unity, config_.sample_rate, config_.max_block, config_.channels);
    }
    check(*next);
    offered_.publish(std::move(next));
}

void Engine::set_chain(std::unique_ptr<Chain> next) {
    if (!config_.switchable) throw Error("this engine runs one chain from start to end; it cannot switch");
    if (!config_.mastering_chain) throw Error("this engine was prepared without a mastering chain");
    if (!next)
        next = std::make_unique<Chain>(MasteringChain{{}, {false}, 0.0}, config_.sample_rate, config_.max_block,
                                       config_.channels.size());
    check(*next);
    chain_offered_.publish(std::move(next));
}

void Engine::start_with(std::unique_ptr<Correction> first, std::unique_ptr<Chain> chain) {
    if (first) check(*first);
    if (chain) check(*chain);
    current_ = std::move(first);
    chain_ = std::move(chain);
    latency_.store((current_ ? current_->latency_samples() : 0) + chain_latency_, std::memory_order_relaxed);
    enabled_gain_ = correction_enabled_.load() ? 1.0f : 0.0f;
    chain_gain_ = chain_enabled_.load() ? 1.0f : 0.0f;
    reset();
}

void Engine::collect() {
    offered_.collect();
    chain_offered_.collect();
}

void Engine::reset() {
    if (current_) current_->reset();
    if (chain_) chain_->reset();
    for (auto& d : dry_delay_) std::fill(d.begin(), d.end(), 0.0f);
    for (auto& d : chain_delay_) std::fill(d.begin(), d.end(), 0.0f);
    dry_pos_ = chain_pos_ = 0;
    match_.reset();
    match_gain_ = 1.0f;
}

void Engine::process(const float* const* in, float* const* out, std::size_t frames) noexcept {
    const std::size_t channels = config_.channels.size();
    const float* ip[64];
    float* op[64];
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
    if (!config_.switchable) {
        fixed_stages(in, out, frames);
    } else {
        correction_stage(in, frames);
        if (config_.mastering_chain)
            chain_stage(out, frames);
        else
            for (std::size_t c = 0; c < config_.channels.size(); ++c)
                std::memcpy(out[c], post_[c].data(), frames * sizeof(float));
    }
    std::size_t clipped = 0;
    for (std::size_t c = 0; c < config_.channels.size(); ++c) {
        float* x = out[c];
        std::uint32_t over = 0;  // branch-free, so it vectorises
        for (std::size_t i = 0; i < frames; ++i) {
            const float v = x[i];
            over += static_cast<std::uint32_t>((v > ceiling_) | (v < -ceiling_));
            x[i] = std::min(std::max(v, -ceiling_), ceiling_);
        }
        clipped += over;
    }
    if (clipped) clipped_.fetch_add(clipped, std::memory_order_relaxed);
    latency_.store((current_ ? current_->latency_samples() : 0) + chain_latency_, std::memory_order_relaxed);
    if (meter_tap_) meter_tap_->push(out, frames);
}

// to = from delayed by the chain's latency (the bypass path; from and to may be the same).
void Engine::chain_bypass_delay(const float* const* from, float* const* to, std::size_t frames) noexcept {
    for (std::size_t c = 0; c < config_.channels.size(); ++c)
        delayed(from[c], to[c], chain_delay_[c], chain_pos_, chain_latency_, frames);
    chain_pos_ = (chain_pos_ + frames) % chain_delay_.front().size();
}

// A fixed engine: the correction from in to out, then the chain (or its delay) in place.
void Engine::fixed_stages(const float* const* in, float* const* out, std::size_t frames) noexcept {
    const std::size_t n = config_.channels.size();
    if (current_)
        current_->process(in, out, frames);
    else
        for (std::size_t c = 0; c < n; ++c)
            if (out[c] != in[c]) std::memmove(out[c], in[c], frames * sizeof(float));
    if (!config_.mastering_chain) return;
    if (chain_) {
        chain_->process(out, frames);
        reduction_db_.store(chain_->gain_reduction_db(), std::memory_order_relaxed);
    } else {
        chain_bypass_delay(out, out, frames);
    }
}

// post_ = the corrected signal, or the dry one (delayed alike), or a crossfade of them.
void Engine::correction_stage(const float* const* in, std::size_t frames) noexcept {
    const std::size_t n = config_.channels.size();
    if (!incoming_ && offered_.ready()) {
        incoming_ = offered_.take();
        swap_pos_ = 0;
    }
    const std::size_t delay = current_ ? current_->latency_samples() : 0;
    for (std::size_t c = 0; c < n; ++c) delayed(in[c], dry_[c].data(), dry_delay_[c], dry_pos_, delay, frames);
    dry_pos_ = (dry_pos_ + frames) % dry_delay_.front().size();

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
            crossfades_.fetch_add(1, std::memory_order_relaxed);
        }
    }
    const float target = correction_enabled_.load(std::memory_order_relaxed) ? 1.0f : 0.0f;
    if (enabled_gain_ == target) {  // settled: the corrected or the dry signal as it is
        const auto& settled = target == 1.0f ? wet_ : dry_;
        for (std::size_t c = 0; c < n; ++c) std::memcpy(post_[c].data(), settled[c].data(), frames * sizeof(float));
        return;
    }
    const float step = 1.0f / static_cast<float>(fade_samples_);
    for (std::size_t i = 0; i < frames; ++i) {
        enabled_gain_ = ramp(enabled_gain_, target, step, crossfades_);
        for (std::size_t c = 0; c < n; ++c) post_[c][i] = dry_[c][i] + enabled_gain_ * (wet_[c][i] - dry_[c][i]);
    }
}

// out = the chain's output, or its level-matched bypass (post_ delayed by the chain's
// latency), or a crossfade of them.
void Engine::chain_stage(float* const* out, std::size_t frames) noexcept {
    const std::size_t n = config_.channels.size();
    if (!chain_incoming_ && chain_offered_.ready()) {
        chain_incoming_ = chain_offered_.take();
        chain_swap_pos_ = 0;
    }
    chain_bypass_delay(post_ptr_.data(), bypass_ptr_.data(), frames);

    if (chain_) {
        for (std::size_t c = 0; c < n; ++c) std::memcpy(proc_[c].data(), post_[c].data(), frames * sizeof(float));
        chain_->process(proc_ptr_.data(), frames);
    } else {
        for (std::size_t c = 0; c < n; ++c) std::memcpy(proc_[c].data(), bypass_[c].data(), frames * sizeof(float));
    }
    if (chain_incoming_) {
        for (std::size_t c = 0; c < n; ++c) std::memcpy(proc_next_[c].data(), post_[c].data(), frames * sizeof(float));
        chain_incoming_->process(proc_next_ptr_.data(), frames);
        const float step = 1.0f / static_cast<float>(fade_samples_);
        for (std::size_t c = 0; c < n; ++c)
            for (std::size_t i = 0; i < frames; ++i) {
                const float g = std::min(1.0f, static_cast<float>(chain_swap_pos_ + i + 1) * step);
                proc_[c][i] += g * (proc_next_[c][i] - proc_[c][i]);
            }
        chain_swap_pos_ += frames;
        if (chain_swap_pos_ >= fade_samples_) {
            chain_offered_.retire(chain_.release());
            chain_.reset(chain_incoming_);
            chain_incoming_ = nullptr;
            crossfades_.fetch_add(1, std::memory_order_relaxed);
        }
    }
    if (config_.level_match) match_.feed(bypass_ptr_.data(), proc_ptr_.data(), frames);
    const float match_from = match_gain_, match_to = config_.level_match ? match_.gain() : 1.0f;
    match_gain_ = match_to;
    match_db_.store(20.0 * std::log10(static_cast<double>(match_to)), std::memory_order_relaxed);
    reduction_db_.store(chain_ ? chain_->gain_reduction_db() : 0.0, std::memory_order_relaxed);

    const float target = chain_enabled_.load(std::memory_order_relaxed) ? 1.0f : 0.0f;
    if (chain_gain_ == 1.0f && target == 1.0f) {  // settled on the chain
        for (std::size_t c = 0; c < n; ++c) std::memcpy(out[c], proc_[c].data(), frames * sizeof(float));
        return;
    }
    const float step = 1.0f / static_cast<float>(fade_samples_);
    const float match_step = (match_to - match_from) / static_cast<float>(std::max<std::size_t>(frames, 1));
    for (std::size_t i = 0; i < frames; ++i) {
        chain_gain_ = ramp(chain_gain_, target, step, crossfades_);
        const float m = match_from + match_step * static_cast<float>(i + 1);
        for (std::size_t c = 0; c < n; ++c) {
            const float b = bypass_[c][i] * m;
            out[c][i] = b + chain_gain_ * (proc_[c][i] - b);
        }
    }
}

}  // namespace roomcal::engine

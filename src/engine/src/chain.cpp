// The mastering chain's audio stage.
#include "roomcal/engine/chain.hpp"

#include <cmath>

#include "delay_ring.hpp"
#include "roomcal/dsp/biquad_design.hpp"

namespace roomcal::engine {

std::size_t Chain::latency_at(Hz rate) {
    dsp::TruePeakLimiter probe;
    probe.prepare(rate, 16, 1);
    return probe.latency_samples();
}

Chain::Chain(const MasteringChain& chain, Hz rate, std::size_t max_block, std::size_t channels)
    : chain_(chain), rate_(rate), channels_(channels), max_block_(max_block) {
    chain.validate();
    for (const auto& band : chain.eq) {
        if (!band.enabled) continue;
        const Biquad b = dsp::design_biquad(band.filter, rate);
        sections_.push_back({b.b0, b.b1, b.b2, b.a1, b.a2});
    }
    state_.assign(channels, std::vector<double>(2 * sections_.size(), 0.0));
    makeup_ = static_cast<float>(std::pow(10.0, chain.makeup_db / 20.0));
    dsp::LimiterSettings ls;
    ls.ceiling = Decibels(chain.limiter.ceiling_dbtp);
    ls.release = Seconds(chain.limiter.release_ms * 1e-3);
    ls.input_gain = Decibels(chain.limiter.input_gain_db);
    limiter_.prepare(rate, max_block, channels, ls);
    delay_.assign(channels, std::vector<float>(limiter_.latency_samples() + max_block + 1, 0.0f));
}

void Chain::reset() {
    for (auto& s : state_) std::fill(s.begin(), s.end(), 0.0);
    limiter_.reset();
    for (auto& d : delay_) std::fill(d.begin(), d.end(), 0.0f);
    delay_pos_ = 0;
}

void Chain::process(float* const* audio, std::size_t frames) noexcept {
    // Channels in pairs, the two side by side in one SIMD register: each section's recursion
    // is a chain of dependent steps per sample, and two independent chains run in the time
    // of one. The same operations per channel as one at a time, so the same output.
    std::size_t c = 0;
    for (; c + 2 <= channels_; c += 2) {
        using Pair = double __attribute__((vector_size(2 * sizeof(double))));
        float* xl = audio[c];
        float* xr = audio[c + 1];
        double* sl = state_[c].data();
        double* sr = state_[c + 1].data();
        for (std::size_t k = 0; k < sections_.size(); ++k) {
            const Section& s = sections_[k];
            Pair s1 = {sl[2 * k], sr[2 * k]}, s2 = {sl[2 * k + 1], sr[2 * k + 1]};
            for (std::size_t i = 0; i < frames; ++i) {
                const Pair v = {xl[i], xr[i]};
                const Pair y = s.b0 * v + s1;
                s1 = s.b1 * v - s.a1 * y + s2;
                s2 = s.b2 * v - s.a2 * y;
                xl[i] = static_cast<float>(y[0]);
                xr[i] = static_cast<float>(y[1]);
            }
            sl[2 * k] = s1[0], sr[2 * k] = s1[1];
            sl[2 * k + 1] = s2[0], sr[2 * k + 1] = s2[1];
        }
    }
    for (; c < channels_; ++c) {
        float* x = audio[c];
        double* st = state_[c].data();
        for (std::size_t k = 0; k < sections_.size(); ++k) {
            const Section& s = sections_[k];
            double s1 = st[2 * k], s2 = st[2 * k + 1];
            for (std::size_t i = 0; i < frames; ++i) {
                const double v = x[i];
                const double y = s.b0 * v + s1;
                s1 = s.b1 * v - s.a1 * y + s2;
                s2 = s.b2 * v - s.a2 * y;
                x[i] = static_cast<float>(y);
            }
            st[2 * k] = s1;
            st[2 * k + 1] = s2;
        }
    }
    if (makeup_ != 1.0f)
        for (std::size_t ch = 0; ch < channels_; ++ch)
            for (std::size_t i = 0; i < frames; ++i) audio[ch][i] *= makeup_;
    if (chain_.limiter.enabled) {
        limiter_.process(audio, frames);
        return;
    }
    for (std::size_t ch = 0; ch < channels_; ++ch)
        delayed(audio[ch], audio[ch], delay_[ch], delay_pos_, limiter_.latency_samples(), frames);
    delay_pos_ = (delay_pos_ + frames) % delay_.front().size();
}

}  // namespace roomcal::engine

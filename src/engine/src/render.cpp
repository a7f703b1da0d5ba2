// Offline rendering through the engine.
#include "roomcal/engine/render.hpp"

#include <algorithm>
#include <vector>

#include "roomcal/core/error.hpp"
#include "roomcal/engine/engine.hpp"

namespace roomcal::engine {

RenderResult render(AudioView<const float> input, Hz rate, const std::vector<std::string>& channels,
                    std::unique_ptr<Correction> correction, std::size_t block,
                    const std::function<void(double)>& progress, const MasteringChain* chain) {
    if (block < 16 || block > 65536) throw UsageError("--block must lie in 16–65536 frames");
    if (input.num_channels() != channels.size())
        throw Error("the input has " + std::to_string(input.num_channels()) + " channels, the render " +
                    std::to_string(channels.size()));
    EngineConfig cfg;
    cfg.sample_rate = rate;
    cfg.max_block = block;
    cfg.channels = channels;
    cfg.mastering_chain = chain != nullptr;
    if (correction) cfg.max_latency_s = static_cast<double>(correction->latency_samples()) / rate.value + 0.01;
    Engine engine(cfg);
    engine.start_with(std::move(correction),
                      chain ? std::make_unique<Chain>(*chain, rate, block, channels.size()) : nullptr);
    const std::size_t latency = engine.latency_samples();
    const std::size_t frames = input.num_frames(), n = channels.size();

    RenderResult r;
    r.latency_samples = latency;
    r.audio.resize(n, frames);
    std::vector<std::vector<float>> in(n, std::vector<float>(block)), out(n, std::vector<float>(block));
    std::vector<const float*> ip(n);
    std::vector<float*> op(n);
    for (std::size_t c = 0; c < n; ++c) ip[c] = in[c].data(), op[c] = out[c].data();
    // Input, then `latency` zeros to flush what the engine still holds.
    const std::size_t total = frames + latency;
    for (std::size_t pos = 0; pos < total; pos += block) {
        const std::size_t m = std::min(block, total - pos);
        for (std::size_t c = 0; c < n; ++c)
            for (std::size_t i = 0; i < m; ++i) in[c][i] = pos + i < frames ? input(c, pos + i) : 0.0f;
        engine.process(ip.data(), op.data(), m);
        for (std::size_t c = 0; c < n; ++c)
            for (std::size_t i = 0; i < m; ++i)
                if (pos + i >= latency) r.audio(c, pos + i - latency) = out[c][i];
        if (progress && (pos / block) % 64 == 0) progress(static_cast<double>(pos) / static_cast<double>(total));
    }
    if (progress) progress(1.0);
    r.clipped_samples = engine.clipped_samples();
    return r;
}

}  // namespace roomcal::engine

// Cumulative spectral decay: frequency_response() once per slice, the window's reference
// moved to the slice start, so every slice shares the IR window's shape and dB scale.
#include "roomcal/measure/waterfall.hpp"

#include <cmath>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/measure/response.hpp"

namespace roomcal::measure {
namespace {

constexpr std::size_t max_slices = 10000;

}  // namespace

Waterfall cumulative_spectral_decay(const ImpulseResponse& ir, const std::vector<double>& grid_hz,
                                    const WaterfallSpec& spec) {
    ir.validate("impulse response for the waterfall");
    if (!(spec.start_ms >= 0.0) || !(spec.end_ms >= spec.start_ms) || !(spec.step_ms > 0.0) || !(spec.rise_ms >= 0.0) ||
        !(spec.window_ms > 0.0) || !std::isfinite(spec.end_ms))
        throw UsageError("waterfall needs 0 <= start <= end, a positive step and window and a rise >= 0 (got start " +
                         fmt(spec.start_ms) + " ms, end " + fmt(spec.end_ms) + " ms, step " + fmt(spec.step_ms) +
                         " ms, rise " + fmt(spec.rise_ms) + " ms, window " + fmt(spec.window_ms) + " ms)");
    // A hair of slack so 0..300 ms by 10 ms keeps its 300 ms slice despite rounding.
    const auto slices = static_cast<std::size_t>(std::floor((spec.end_ms - spec.start_ms) / spec.step_ms + 1e-9)) + 1;
    if (slices > max_slices)
        throw UsageError("waterfall would have " + fmt(static_cast<double>(slices)) +
                         " slices; use a larger step (at most " + fmt(static_cast<double>(max_slices)) + " slices)");
    const double fs = ir.sample_rate.value;
    const double last_start = ir.reference_sample + spec.end_ms * fs / 1000.0;
    if (!(last_start < static_cast<double>(ir.size())))
        throw UsageError("waterfall slices run to " + fmt(spec.end_ms) + " ms after the reference, but the impulse " +
                         "response ends " +
                         fmt((static_cast<double>(ir.size()) - ir.reference_sample) / fs * 1000.0, 4) +
                         " ms after it; lower the end time");

    Waterfall w;
    w.frequency_hz = grid_hz;
    ImpulseResponse slice = ir;
    const IrWindow window{spec.rise_ms, spec.window_ms};
    for (std::size_t k = 0; k < slices; ++k) {
        const double t_ms = spec.start_ms + static_cast<double>(k) * spec.step_ms;
        slice.reference_sample = ir.reference_sample + t_ms * fs / 1000.0;
        w.times_s.push_back(t_ms / 1000.0);
        w.magnitude_db.push_back(frequency_response(slice, grid_hz, window).magnitude_db);
    }
    return w;
}

}  // namespace roomcal::measure

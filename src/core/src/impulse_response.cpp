// Impulse-response validation.
#include "roomcal/core/impulse_response.hpp"

#include <cmath>
#include <string>

#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"

namespace roomcal {

void ImpulseResponse::validate(const char* what) const {
    const std::string name(what);
    if (samples.empty()) throw Error(name + ": the impulse response has no samples");
    if (!(sample_rate.value > 0.0) || !std::isfinite(sample_rate.value))
        throw Error(name + ": sample rate " + fmt(sample_rate.value) + " Hz is not valid");
    for (std::size_t i = 0; i < samples.size(); ++i)
        if (!std::isfinite(samples[i]))
            throw Error(name + ": sample " + std::to_string(i) + " is not a finite number (NaN or Inf)");
    if (!std::isfinite(reference_sample) || reference_sample < 0.0 ||
        reference_sample >= static_cast<double>(samples.size()))
        throw Error(name + ": reference sample " + fmt(reference_sample) + " lies outside the response (0.." +
                    std::to_string(samples.size()) + ")");
}

}  // namespace roomcal

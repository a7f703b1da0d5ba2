// Homomorphic minimum phase.
#include "roomcal/dsp/minimum_phase.hpp"

#include <algorithm>

#include "roomcal/core/error.hpp"
#include "roomcal/dsp/fft.hpp"

namespace roomcal::dsp {

std::vector<std::complex<double>> minimum_phase_log_spectrum(std::span<const double> log_magnitude, std::size_t n) {
    if (n % 2 != 0 || log_magnitude.size() != n / 2 + 1)
        throw Error("minimum phase needs an even FFT size and n/2 + 1 magnitudes");
    const std::vector<std::complex<double>> real_spectrum(log_magnitude.begin(), log_magnitude.end());
    auto cepstrum = irfft(real_spectrum, n);
    for (std::size_t q = 1; q < n / 2; ++q) cepstrum[q] *= 2.0;
    std::fill(cepstrum.begin() + static_cast<std::ptrdiff_t>(n / 2 + 1), cepstrum.end(), 0.0);
    return rfft(cepstrum, n);
}

}  // namespace roomcal::dsp

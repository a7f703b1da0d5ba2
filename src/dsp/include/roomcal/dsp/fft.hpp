// Real-to-complex FFT over FFTW3 in float and double: aligned buffers, a process-wide
// plan cache (planning is serialised; executing a plan is thread-safe), and FFTW wisdom
// kept in the user's cache folder so MEASURE-quality plans are found once per machine.
#pragma once

#include <complex>
#include <cstddef>
#include <memory>
#include <span>
#include <vector>

namespace roomcal::dsp {

// How hard FFTW searches for a fast plan. `measure` costs time once (remembered as
// wisdom); the real-time engine uses it, analysis uses `estimate`.
enum class PlanRigor { estimate, measure };

namespace detail {
void* fft_malloc(std::size_t bytes);
void fft_free(void* p) noexcept;
}  // namespace detail

// SIMD-aligned array of T (fftw_malloc); the arrays passed to RealFft must be these.
template <typename T>
class FftBuffer {
public:
    FftBuffer() = default;
    explicit FftBuffer(std::size_t n) : data_(static_cast<T*>(detail::fft_malloc(n * sizeof(T)))), size_(n) {
        for (std::size_t i = 0; i < n; ++i) new (data_.get() + i) T{};
    }
    T* data() { return data_.get(); }
    const T* data() const { return data_.get(); }
    std::size_t size() const { return size_; }
    T& operator[](std::size_t i) { return data_.get()[i]; }
    const T& operator[](std::size_t i) const { return data_.get()[i]; }
    std::span<T> span() { return {data_.get(), size_}; }
    std::span<const T> span() const { return {data_.get(), size_}; }

private:
    struct Free {
        void operator()(T* p) const noexcept { detail::fft_free(p); }
    };
    std::unique_ptr<T, Free> data_;
    std::size_t size_ = 0;
};

// Real FFT of size n (any n >= 1; powers of two and small primes are fastest).
// forward: n reals -> n/2+1 bins. inverse: n/2+1 bins -> n reals, unnormalised (scaled by n),
// and it overwrites its input, as FFTW's c2r does. Both are noexcept and allocation-free.
template <typename T>
class RealFft {
public:
    explicit RealFft(std::size_t n, PlanRigor rigor = PlanRigor::estimate);
    std::size_t size() const { return n_; }
    std::size_t num_bins() const { return n_ / 2 + 1; }

    void forward(const T* in, std::complex<T>* out) const noexcept;
    void inverse(std::complex<T>* in_destroyed, T* out) const noexcept;

private:
    std::size_t n_;
    void* forward_plan_;
    void* inverse_plan_;
};

extern template class RealFft<float>;
extern template class RealFft<double>;

// Convenience for analysis code (allocates): spectrum of x zero-padded to n (n >= x.size()).
std::vector<std::complex<double>> rfft(std::span<const double> x, std::size_t n);
// Inverse of rfft, normalised, n real outputs.
std::vector<double> irfft(std::span<const std::complex<double>> bins, std::size_t n);

// Next size >= n whose only prime factors are 2, 3 and 5 (fast for FFTW).
std::size_t next_fast_size(std::size_t n);

// Writes the wisdom FFTW has gathered to the user's cache folder (atomic), for each
// precision that planned in this process and only when it learnt something new. Returns
// false, without throwing, when the folder cannot be written: wisdom is an optimisation.
bool save_wisdom();

}  // namespace roomcal::dsp

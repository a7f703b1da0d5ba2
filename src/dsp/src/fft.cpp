// FFTW3 plan cache, wisdom persistence and the RealFft instantiations.
#include "roomcal/dsp/fft.hpp"

#include <fftw3.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <new>
#include <sstream>
#include <tuple>
#include <type_traits>

#include "roomcal/core/atomic_file.hpp"
#include "roomcal/core/error.hpp"

namespace roomcal::dsp {
namespace detail {

void* fft_malloc(std::size_t bytes) {
    void* p = fftw_malloc(bytes == 0 ? 1 : bytes);
    if (!p) throw std::bad_alloc();
    return p;
}
void fft_free(void* p) noexcept { fftw_free(p); }

}  // namespace detail

namespace {

// FFTW's planner is not thread-safe; every planner call and wisdom I/O holds this.
std::mutex& planner_mutex() {
    static std::mutex m;
    return m;
}

std::filesystem::path wisdom_path(bool single) {
    return user_cache_dir() / (single ? "fftw-wisdom-float" : "fftw-wisdom-double");
}

std::string read_whole_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Whether each precision has planned (and so read its wisdom file) in this process.
bool& wisdom_loaded(bool single) {
    static bool loaded[2] = {false, false};
    return loaded[single ? 1 : 0];
}

void load_wisdom_once(bool single) {
    if (wisdom_loaded(single)) return;
    wisdom_loaded(single) = true;
    // A damaged or foreign wisdom file is ignored: FFTW rejects it and we plan afresh.
    const std::string text = read_whole_file(wisdom_path(single));
    if (text.empty()) return;
    if (single)
        fftwf_import_wisdom_from_string(text.c_str());
    else
        fftw_import_wisdom_from_string(text.c_str());
}

unsigned flags_for(PlanRigor rigor) { return rigor == PlanRigor::measure ? FFTW_MEASURE : FFTW_ESTIMATE; }

template <typename T>
struct Fftw;

template <>
struct Fftw<double> {
    using Complex = fftw_complex;
    static void* plan_r2c(int n, unsigned flags) {
        auto* in = static_cast<double*>(fftw_malloc(sizeof(double) * static_cast<std::size_t>(n)));
        auto* out = static_cast<Complex*>(fftw_malloc(sizeof(Complex) * static_cast<std::size_t>(n / 2 + 1)));
        void* p = fftw_plan_dft_r2c_1d(n, in, out, flags);
        fftw_free(in);
        fftw_free(out);
        return p;
    }
    static void* plan_c2r(int n, unsigned flags) {
        auto* in = static_cast<Complex*>(fftw_malloc(sizeof(Complex) * static_cast<std::size_t>(n / 2 + 1)));
        auto* out = static_cast<double*>(fftw_malloc(sizeof(double) * static_cast<std::size_t>(n)));
        void* p = fftw_plan_dft_c2r_1d(n, in, out, flags);
        fftw_free(in);
        fftw_free(out);
        return p;
    }
    static void r2c(void* plan, const double* in, std::complex<double>* out) {
        fftw_execute_dft_r2c(static_cast<fftw_plan>(plan), const_cast<double*>(in), reinterpret_cast<Complex*>(out));
    }
    static void c2r(void* plan, std::complex<double>* in, double* out) {
        fftw_execute_dft_c2r(static_cast<fftw_plan>(plan), reinterpret_cast<Complex*>(in), out);
    }
    static void destroy(void* plan) { fftw_destroy_plan(static_cast<fftw_plan>(plan)); }
};

template <>
struct Fftw<float> {
    using Complex = fftwf_complex;
    static void* plan_r2c(int n, unsigned flags) {
        auto* in = static_cast<float*>(fftwf_malloc(sizeof(float) * static_cast<std::size_t>(n)));
        auto* out = static_cast<Complex*>(fftwf_malloc(sizeof(Complex) * static_cast<std::size_t>(n / 2 + 1)));
        void* p = fftwf_plan_dft_r2c_1d(n, in, out, flags);
        fftwf_free(in);
        fftwf_free(out);
        return p;
    }
    static void* plan_c2r(int n, unsigned flags) {
        auto* in = static_cast<Complex*>(fftwf_malloc(sizeof(Complex) * static_cast<std::size_t>(n / 2 + 1)));
        auto* out = static_cast<float*>(fftwf_malloc(sizeof(float) * static_cast<std::size_t>(n)));
        void* p = fftwf_plan_dft_c2r_1d(n, in, out, flags);
        fftwf_free(in);
        fftwf_free(out);
        return p;
    }
    static void r2c(void* plan, const float* in, std::complex<float>* out) {
        fftwf_execute_dft_r2c(static_cast<fftwf_plan>(plan), const_cast<float*>(in), reinterpret_cast<Complex*>(out));
    }
    static void c2r(void* plan, std::complex<float>* in, float* out) {
        fftwf_execute_dft_c2r(static_cast<fftwf_plan>(plan), reinterpret_cast<Complex*>(in), out);
    }
    static void destroy(void* plan) { fftwf_destroy_plan(static_cast<fftwf_plan>(plan)); }
};

// Plans live for the whole process: a handful of sizes, reused by every instance. The
// cache destroys them at exit, so leak checkers see a clean process.
template <typename T>
class PlanCache {
public:
    ~PlanCache() {
        for (auto& [key, plan] : plans_) Fftw<T>::destroy(plan);
    }
    void* get(std::size_t n, bool forward, PlanRigor rigor) {
        std::lock_guard lock(planner_mutex());
        load_wisdom_once(std::is_same_v<T, float>);
        auto& slot = plans_[{n, forward, rigor}];
        if (!slot) {
            const int ni = static_cast<int>(n);
            slot = forward ? Fftw<T>::plan_r2c(ni, flags_for(rigor)) : Fftw<T>::plan_c2r(ni, flags_for(rigor));
            if (!slot) throw Error("FFTW could not plan a transform of size " + std::to_string(n));
        }
        return slot;
    }

private:
    std::map<std::tuple<std::size_t, bool, PlanRigor>, void*> plans_;
};

template <typename T>
void* cached_plan(std::size_t n, bool forward, PlanRigor rigor) {
    static PlanCache<T> cache;
    return cache.get(n, forward, rigor);
}

}  // namespace

template <typename T>
RealFft<T>::RealFft(std::size_t n, PlanRigor rigor) : n_(n), forward_plan_(nullptr), inverse_plan_(nullptr) {
    if (n == 0 || n > (1u << 30)) throw Error("FFT size " + std::to_string(n) + " is out of range (1 .. 2^30)");
    forward_plan_ = cached_plan<T>(n, true, rigor);
    inverse_plan_ = cached_plan<T>(n, false, rigor);
}

template <typename T>
void RealFft<T>::forward(const T* in, std::complex<T>* out) const noexcept {
    Fftw<T>::r2c(forward_plan_, in, out);
}

template <typename T>
void RealFft<T>::inverse(std::complex<T>* in_destroyed, T* out) const noexcept {
    Fftw<T>::c2r(inverse_plan_, in_destroyed, out);
}

template class RealFft<float>;
template class RealFft<double>;

std::vector<std::complex<double>> rfft(std::span<const double> x, std::size_t n) {
    if (n < x.size()) throw Error("rfft: size " + std::to_string(n) + " is shorter than the input");
    const RealFft<double> fft(n);
    FftBuffer<double> in(n);
    FftBuffer<std::complex<double>> out(fft.num_bins());
    std::memcpy(in.data(), x.data(), x.size() * sizeof(double));
    fft.forward(in.data(), out.data());
    return {out.data(), out.data() + out.size()};
}

std::vector<double> irfft(std::span<const std::complex<double>> bins, std::size_t n) {
    const RealFft<double> fft(n);
    if (bins.size() != fft.num_bins())
        throw Error("irfft: " + std::to_string(bins.size()) + " bins given, expected " +
                    std::to_string(fft.num_bins()));
    FftBuffer<std::complex<double>> in(bins.size());
    FftBuffer<double> out(n);
    std::copy(bins.begin(), bins.end(), in.data());
    fft.inverse(in.data(), out.data());
    const double scale = 1.0 / static_cast<double>(n);
    std::vector<double> y(n);
    for (std::size_t i = 0; i < n; ++i) y[i] = out[i] * scale;
    return y;
}

std::size_t next_fast_size(std::size_t n) {
    if (n > (std::size_t{1} << 40)) throw Error("FFT size " + std::to_string(n) + " is beyond any sensible signal");
    for (std::size_t m = n < 1 ? 1 : n;; ++m) {
        std::size_t r = m;
        for (std::size_t p : {2u, 3u, 5u})
            while (r % p == 0) r /= p;
        if (r == 1) return m;
    }
}

bool save_wisdom() {
    std::lock_guard lock(planner_mutex());
    try {
        // Only a precision that planned (and so merged the file first) has anything new,
        // and the file is left alone when it already says the same.
        for (const bool single : {false, true}) {
            if (!wisdom_loaded(single)) continue;
            char* exported = single ? fftwf_export_wisdom_to_string() : fftw_export_wisdom_to_string();
            const std::string text = exported ? exported : "";
            std::free(exported);
            if (text == read_whole_file(wisdom_path(single))) continue;
            std::filesystem::create_directories(user_cache_dir());
            write_text_file_atomically(wisdom_path(single), text);
        }
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace roomcal::dsp

// Predicted responses and third-octave grading.
#include "roomcal/correct/predict.hpp"

#include <cmath>

#include "roomcal/core/error.hpp"
#include "roomcal/correct/fir_design.hpp"

namespace roomcal::correct {

std::vector<double> correction_db(const ChannelFilter& filter, Hz rate, const std::vector<double>& grid_hz) {
    std::vector<double> out(grid_hz.size(), filter.gain_db);
    for (std::size_t i = 0; i < grid_hz.size(); ++i)
        for (const auto& b : filter.biquads) out[i] += 20.0 * std::log10(std::abs(b.response(Hz(grid_hz[i]), rate)));
    if (!filter.fir.empty()) {
        const auto f = fir_db(filter.fir, rate, grid_hz);
        for (std::size_t i = 0; i < grid_hz.size(); ++i) out[i] += f[i];
    }
    return out;
}

std::vector<std::pair<double, double>> band_deviations(const std::vector<double>& grid_hz,
                                                       const std::vector<double>& response_db,
                                                       const std::vector<double>& target_db, BandRange range) {
    if (grid_hz.size() != response_db.size() || grid_hz.size() != target_db.size())
        throw Error("band deviations: response, target and grid differ in length");
    std::vector<std::pair<double, double>> out;
    const double edge = std::pow(2.0, 1.0 / 6.0);
    for (double c : third_octave_centres(range.low, range.high)) {
        double p = 0.0, t = 0.0;
        int n = 0;
        for (std::size_t i = 0; i < grid_hz.size(); ++i)
            if (grid_hz[i] >= c / edge && grid_hz[i] < c * edge) {
                p += std::pow(10.0, response_db[i] / 10.0);
                t += target_db[i];
                ++n;
            }
        if (n > 0) out.emplace_back(c, 10.0 * std::log10(p / n) - t / n);
    }
    double mean = 0.0;
    for (const auto& b : out) mean += b.second;
    mean /= std::max<std::size_t>(out.size(), 1);
    for (auto& b : out) b.second -= mean;
    return out;
}

double band_sd(const std::vector<std::pair<double, double>>& deviations) {
    double s = 0.0;
    for (const auto& b : deviations) s += b.second * b.second;
    return deviations.empty() ? 0.0 : std::sqrt(s / static_cast<double>(deviations.size()));
}

double target_offset_db(const std::vector<double>& grid_hz, const std::vector<double>& response_db,
                        const std::vector<double>& target_db) {
    double s = 0.0;
    int n = 0;
    for (std::size_t i = 0; i < grid_hz.size(); ++i)
        if (grid_hz[i] >= 200.0 && grid_hz[i] <= 2000.0) {
            s += response_db[i] - target_db[i];
            ++n;
        }
    return n > 0 ? s / n : 0.0;
}

namespace {

void grade(const std::vector<double>& grid, const std::vector<double>& before, const std::vector<double>& after,
           const std::vector<double>& target, BandRange range, std::vector<BandDeviation>& bands, double& sd_before,
           double& sd_after) {
    const auto b = band_deviations(grid, before, target, range);
    const auto a = band_deviations(grid, after, target, range);
    bands.clear();
    for (std::size_t i = 0; i < b.size(); ++i) bands.push_back({b[i].first, b[i].second, a[i].second});
    sd_before = band_sd(b);
    sd_after = band_sd(a);
}

}  // namespace

ChannelPrediction predict(const ChannelData& data, const ChannelFilter& filter, Hz rate, const TargetCurve& target,
                          BandRange range) {
    const auto& grid = analysis_grid();
    ChannelPrediction p;
    p.channel = data.channel;
    p.correction_db = correction_db(filter, rate, grid);
    std::vector<FrequencyResponse> after_all;
    for (std::size_t k = 0; k < data.responses.size(); ++k) {
        PositionPrediction pp;
        pp.position = data.positions[k];
        pp.before = {grid, data.responses[k].magnitude_db, {}};
        pp.after = pp.before;
        for (std::size_t i = 0; i < grid.size(); ++i) pp.after.magnitude_db[i] += p.correction_db[i];
        after_all.push_back(pp.after);
        p.positions.push_back(std::move(pp));
    }
    p.average_before = {grid, data.summary.rms_average.magnitude_db, {}};
    p.average_after = p.average_before;
    for (std::size_t i = 0; i < grid.size(); ++i) p.average_after.magnitude_db[i] += p.correction_db[i];
    p.target_db = target.level_db(grid);
    const double offset = target_offset_db(grid, p.average_after.magnitude_db, p.target_db);
    for (auto& t : p.target_db) t += offset;
    grade(grid, p.average_before.magnitude_db, p.average_after.magnitude_db, p.target_db, range, p.average_bands,
          p.sd_before_db, p.sd_after_db);
    for (auto& pp : p.positions)
        grade(grid, pp.before.magnitude_db, pp.after.magnitude_db, p.target_db, range, pp.bands, pp.sd_before_db,
              pp.sd_after_db);
    return p;
}

}  // namespace roomcal::correct

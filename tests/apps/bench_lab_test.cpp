#include "bench_lab.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <limits>
#include <random>
#include <string>

#include "distance_matrix/kernel/distance_kernel.hpp"

namespace dm {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

LocationTable random_table(std::size_t count) {
  std::mt19937_64 random(5);
  std::uniform_real_distribution<double> latitude(-90, 90);
  std::uniform_real_distribution<double> longitude(-180, 180);
  LocationTable table;
  for (std::size_t index = 0; index < count; ++index) {
    table.push_back({"p" + std::to_string(index), latitude(random), longitude(random)});
  }
  return table;
}

TEST(BenchLab, DefaultCasesPairEveryStrategyWithBothKernelsScalarSequentialFirst) {
  const std::vector<LabCase> cases = default_lab_cases(2);
  ASSERT_GE(cases.size(), 2u);
  EXPECT_EQ(cases[0].executor, RunnerKind::sequential);
  EXPECT_EQ(cases[0].kernel, KernelKind::scalar);
  for (std::size_t index = 0; index + 1 < cases.size(); index += 2) {
    EXPECT_EQ(cases[index].kernel, KernelKind::scalar);
    EXPECT_EQ(cases[index + 1].kernel, KernelKind::simd);
    EXPECT_EQ(cases[index].executor, cases[index + 1].executor);
    EXPECT_EQ(cases[index].workers, cases[index + 1].workers);
    EXPECT_EQ(cases[index].chunk_size, cases[index + 1].chunk_size);
    // A thread per pair would take minutes on the 1k sample: never in the lab.
    if (cases[index].executor == RunnerKind::threads) {
      EXPECT_GT(cases[index].chunk_size, 1u);
    }
  }
  for (const RunnerKind executor : all_runner_kinds) {
    EXPECT_TRUE(std::any_of(cases.begin(), cases.end(), [&](const LabCase& c) { return c.executor == executor; }))
        << to_string(executor);
  }
}

TEST(BenchLab, TimesEveryCaseAndFindsEveryResultIdentical) {
  const LocationTable locations = random_table(40);
  const std::vector<LabCase> cases = {{RunnerKind::sequential, KernelKind::scalar, 1, 0},
                                      {RunnerKind::parallel, KernelKind::simd, 2, 7},
                                      {RunnerKind::processes, KernelKind::scalar, 2, 0},
                                      {RunnerKind::async, KernelKind::simd, 1, 0}};
  LabOptions options;
  options.repeat = 3;
  std::size_t seen = 0;
  const LabReport report = run_lab(locations, cases, options, [&seen](const LabMeasurement&) { ++seen; });
  EXPECT_EQ(seen, cases.size());
  EXPECT_EQ(report.location_count, 40u);
  EXPECT_EQ(report.pair_count, 780u);
  EXPECT_EQ(report.simd_target, simd_target_name());
  ASSERT_EQ(report.measurements.size(), cases.size());
  EXPECT_TRUE(report.all_identical());
  EXPECT_TRUE(report.kernels_agree());
  EXPECT_LE(report.simd_scalar_max_difference_km, 1e-9);
  EXPECT_EQ(report.measurements[0].speedup, 1.0);
  EXPECT_EQ(report.measurements[1].workers, 2u);
  EXPECT_EQ(report.measurements[1].chunk_size, 7u);
  for (const LabMeasurement& measurement : report.measurements) {
    EXPECT_EQ(measurement.seconds.size(), 3u);
    std::vector<double> sorted = measurement.seconds;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(measurement.median_seconds, sorted[1]) << "the middle one of three repetitions";
    EXPECT_DOUBLE_EQ(measurement.pairs_per_second, 780 / measurement.median_seconds);
  }
  EXPECT_THAT(lab_table_row(report.measurements[0]), ::testing::StartsWith("sequential haversine scalar       1"));
}

TEST(BenchLab, DefaultCasesEndWithTheGeodesicsTwoKernelsOnOneCoreAndOnAll) {
  const std::vector<LabCase> cases = default_lab_cases(2);
  std::vector<LabCase> geodesic;
  std::copy_if(cases.begin(), cases.end(), std::back_inserter(geodesic),
               [](const LabCase& c) { return c.metric == Metric::geodesic; });
  ASSERT_EQ(geodesic.size(), 4u);
  EXPECT_EQ(geodesic[0].executor, RunnerKind::sequential);
  EXPECT_EQ(geodesic[1].executor, RunnerKind::sequential);
  EXPECT_EQ(geodesic[2].executor, RunnerKind::parallel);
  EXPECT_EQ(geodesic[2].workers, 2u);
  EXPECT_EQ(geodesic[0].kernel, KernelKind::scalar);
  EXPECT_EQ(geodesic[1].kernel, KernelKind::simd);
  EXPECT_EQ(cases.front().metric, Metric::haversine) << "the baseline of every speed-up stays haversine scalar";
}

TEST(BenchLab, TimesTheGeodesicKernelsAndChecksThemAgainstEachOther) {
  const LocationTable locations = random_table(40);
  const std::vector<LabCase> cases = {{RunnerKind::sequential, KernelKind::scalar, 1, 0},
                                      {RunnerKind::sequential, KernelKind::scalar, 1, 0, Metric::geodesic},
                                      {RunnerKind::parallel, KernelKind::simd, 2, 0, Metric::geodesic}};
  LabOptions options;
  options.repeat = 1;
  const LabReport report = run_lab(locations, cases, options);
  ASSERT_EQ(report.measurements.size(), cases.size());
  EXPECT_TRUE(report.all_identical()) << "each geodesic case against sequential geodesic with its kernel";
  EXPECT_TRUE(report.kernels_agree());
  // Karney's inverse in lanes against GeographicLib: the 1 µm contract.
  EXPECT_LE(report.geodesic_simd_scalar_max_difference_km, 1e-9);
  // The ellipsoid is not the sphere: a geodesic case matched the haversine's bits, it would say so here.
  EXPECT_THAT(lab_table_row(report.measurements[2]), ::testing::StartsWith("parallel   geodesic  simd         2"));
  EXPECT_THAT(lab_json(report), HasSubstr("\"metric\": \"geodesic\", \"kernel\": \"simd\""));
  EXPECT_THAT(lab_svg(report), HasSubstr("parallel  geodesic  simd  2 workers"));
}

TEST(BenchLab, ReportsTheFirstWindowOfAProcessesRunApart) {
  const LocationTable locations = random_table(40);
  const std::vector<LabCase> cases = {{RunnerKind::sequential, KernelKind::scalar, 1, 0},
                                      {RunnerKind::processes, KernelKind::simd, 2, 0},
                                      {RunnerKind::pool, KernelKind::simd, 2, 0}};
  LabOptions options;
  options.repeat = 3;
  const LabReport report = run_lab(locations, cases, options);
  ASSERT_EQ(report.measurements.size(), cases.size());
  EXPECT_TRUE(report.all_identical()) << "every repetition of the run, in the executor's window memory";
  const LabMeasurement& processes = report.measurements[1];
  EXPECT_EQ(processes.seconds.size(), 3u) << "the first window is not one of the repetitions";
  EXPECT_GT(processes.first_seconds, 0.0) << "the first window (which forks the workers) was timed";

  const std::string lines = lab_process_start_lines(report);
  EXPECT_THAT(lines, HasSubstr("processes simd   2 workers: first window "));
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 1) << "one line per processes case, none for the others";
  EXPECT_THAT(lab_json(report), HasSubstr("\"first_seconds\": "));
}

LabReport report_with_rates(double slow, double fast) {
  LabReport report;
  report.location_count = 3;
  report.pair_count = 3;
  report.repeat = 1;
  report.simd_target = "avx512";
  for (const double rate : {slow, fast}) {
    LabMeasurement measurement;
    measurement.config.executor = RunnerKind::pool;
    measurement.pairs_per_second = rate;
    measurement.median_seconds = 3 / rate;
    measurement.speedup = rate / slow;
    measurement.identical = true;
    report.measurements.push_back(measurement);
  }
  return report;
}

TEST(BenchLab, ChartUsesALogScaleOnlyWhenTheRangeDemandsIt) {
  const std::string wide = lab_svg(report_with_rates(1e4, 1e9));
  EXPECT_THAT(wide, HasSubstr("(log scale)"));
  EXPECT_THAT(wide, HasSubstr(">10 k/s<"));
  EXPECT_THAT(wide, HasSubstr(">1 G/s<"));
  const std::string narrow = lab_svg(report_with_rates(4e8, 7e8));
  EXPECT_THAT(narrow, Not(HasSubstr("log scale")));
  EXPECT_THAT(narrow, HasSubstr(">0 /s<"));
}

TEST(BenchLab, JsonWritesNullForANumberJsonCannotHold) {
  LabReport report = report_with_rates(1e6, 2e6);
  report.measurements[1].speedup = std::numeric_limits<double>::infinity();
  const std::string json = lab_json(report);
  EXPECT_THAT(json, HasSubstr("\"speedup_over_sequential_scalar\": null"));
  EXPECT_THAT(json, Not(HasSubstr("inf")));
}

}  // namespace
}  // namespace dm

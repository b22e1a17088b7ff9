#include "geojson_points.hpp"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <optional>

namespace dm::detail {
namespace {

namespace ondemand = simdjson::ondemand;

/// simdjson On Demand can go on after a value of the wrong type or a field
/// that is not there; after any other error the JSON is broken and the
/// parser must not be used further.
bool recoverable(simdjson::error_code error) {
  return error == simdjson::SUCCESS || error == simdjson::INCORRECT_TYPE || error == simdjson::NO_SUCH_FIELD;
}

std::string json_problem(simdjson::error_code error) {
  return std::string("not valid GeoJSON: ") + simdjson::error_message(error) +
         " (a FeatureCollection, or one Feature per line, is expected)";
}

std::string shortest(double value) {
  std::array<char, 32> text{};
  const auto end = std::to_chars(text.data(), text.data() + text.size(), value).ptr;
  return std::string(text.data(), end);
}

class PointReader {
 public:
  PointReader(std::string_view text, std::string_view name_property, const std::function<void(Location)>& take,
              const std::function<void(std::size_t, std::string)>& report)
      : text_(text), name_property_(name_property), take_(take), report_(report) {}

  /// Line (1-based) of `at`, a pointer into the padded copy starting at `base`.
  std::size_t line_of(const char* base, const char* at) {
    const std::size_t offset = std::min(static_cast<std::size_t>(at - base), text_.size());
    // Lines counted incrementally: features come in order.
    if (offset < counted_offset_) {
      counted_offset_ = 0;
      counted_lines_ = 1;
    }
    counted_lines_ += static_cast<std::size_t>(
        std::count(text_.begin() + static_cast<std::ptrdiff_t>(counted_offset_),
                   text_.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
    counted_offset_ = offset;
    return counted_lines_;
  }

  void feature(ondemand::value& value, std::size_t line) {
    ondemand::object object;
    if (const auto error = value.get_object().get(object); error != simdjson::SUCCESS) {
      if (!recoverable(error)) return fail(line, error);
      report_(line, "feature " + std::to_string(next_index_++) +
                        " is not a JSON object: a Feature with a Point geometry is expected");
      return;
    }
    feature(object, line);
  }

  void feature(ondemand::object& object, std::size_t line) {
    const std::size_t index = next_index_++;
    const std::string label = "feature " + std::to_string(index);
    std::string_view type;
    if (const auto error = object.find_field_unordered("type").get_string().get(type); !recoverable(error)) {
      return fail(line, error);
    } else if (error != simdjson::SUCCESS || type != "Feature") {
      report_(line, label + " is not a Feature (\"type\": \"Feature\")");
      return;
    }
    ondemand::object geometry;
    if (const auto error = object.find_field_unordered("geometry").get_object().get(geometry); error != simdjson::SUCCESS) {
      if (!recoverable(error)) return fail(line, error);
      report_(line, label + " has no geometry: only Point features are read");
      return;
    }
    std::string_view geometry_type;
    if (const auto error = geometry.find_field_unordered("type").get_string().get(geometry_type); error != simdjson::SUCCESS) {
      if (!recoverable(error)) return fail(line, error);
      report_(line, label + " has a geometry without a type: only Point features are read");
      return;
    }
    if (geometry_type != "Point") {
      report_(line, label + " is a " + std::string(geometry_type) + ": only Point geometries are read");
      return;
    }
    ondemand::array coordinates;
    if (const auto error = geometry.find_field_unordered("coordinates").get_array().get(coordinates); error != simdjson::SUCCESS) {
      if (!recoverable(error)) return fail(line, error);
      report_(line, label + " has no coordinates: a Point needs [longitude, latitude]");
      return;
    }
    std::array<double, 2> lon_lat{};
    std::size_t count = 0;
    for (auto number : coordinates) {
      double parsed = 0;
      if (const auto error = number.get_double().get(parsed); error != simdjson::SUCCESS) {
      if (!recoverable(error)) return fail(line, error);
        report_(line, label + ": coordinates must be numbers, [longitude, latitude]");
        return;
      }
      if (count < lon_lat.size()) lon_lat[count] = parsed;
      ++count;
    }
    if (count < 2) {
      report_(line, label + " has " + std::to_string(count) + " coordinates: a Point needs [longitude, latitude]");
      return;
    }
    const double longitude = lon_lat[0];
    const double latitude = lon_lat[1];
    if (!latitude_range.contains(latitude)) {
      report_(line, label + ": latitude " + shortest(latitude) + " is outside " + std::string(latitude_range.written));
      return;
    }
    if (!longitude_range.contains(longitude)) {
      report_(line,
              label + ": longitude " + shortest(longitude) + " is outside " + std::string(longitude_range.written));
      return;
    }
    std::optional<std::string> name = name_of(object);
    if (broken_) return fail(line, broken_error_);
    if (!name) {
      report_(line, label + " has no \"" + std::string(name_property_) +
                        "\" property (a string or a number): choose another with --name-property");
      return;
    }
    take_(Location{std::move(*name), latitude, longitude});
    return;
  }

 private:
  std::optional<std::string> name_of(ondemand::object& feature) {
    ondemand::object properties;
    if (!usable(feature.find_field_unordered("properties").get_object().get(properties))) return std::nullopt;
    ondemand::value value;
    if (!usable(properties.find_field_unordered(name_property_).get(value))) return std::nullopt;
    ondemand::json_type type{};
    if (!usable(value.type().get(type))) return std::nullopt;
    if (type == ondemand::json_type::string) {
      std::string_view text;
      if (!usable(value.get_string().get(text)) || text.empty()) return std::nullopt;
      return std::string(text);
    }
    if (type == ondemand::json_type::number) {
      std::string_view raw = value.raw_json_token();
      while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t')) {
        raw.remove_suffix(1);
      }
      return std::string(raw);
    }
    return std::nullopt;
  }

  /// True on success; records an unrecoverable error for feature() to report.
  bool usable(simdjson::error_code error) {
    if (!recoverable(error)) {
      broken_ = true;
      broken_error_ = error;
    }
    return error == simdjson::SUCCESS;
  }

 public:
  /// Reports broken JSON once, at the line reached; nothing more is read.
  void fail(std::size_t line, simdjson::error_code error) {
    if (!reported_broken_) report_(std::max(line, counted_lines_), json_problem(error));
    reported_broken_ = true;
    broken_ = true;
  }
  [[nodiscard]] bool broken() const { return broken_; }

  /// The line reached so far: where a problem found now is reported, so
  /// that diagnostics stay in line order.
  [[nodiscard]] std::size_t current_line() const { return counted_lines_; }

 private:
  std::string_view text_;
  std::string_view name_property_;
  const std::function<void(Location)>& take_;
  const std::function<void(std::size_t, std::string)>& report_;
  std::size_t next_index_ = 0;
  std::size_t counted_offset_ = 0;
  std::size_t counted_lines_ = 1;
  bool broken_ = false;
  bool reported_broken_ = false;
  simdjson::error_code broken_error_ = simdjson::SUCCESS;
};

}  // namespace

bool looks_like_geojson(std::string_view text) noexcept {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && text[first] == '{';
}

void read_geojson_points(std::string_view text, std::string_view name_property,
                         const std::function<void(Location)>& take,
                         const std::function<void(std::size_t line, std::string message)>& report) {
  const simdjson::padded_string padded(text);
  const char* const base = padded.data();
  PointReader reader(text, name_property, take, report);
  ondemand::parser parser;
  // One batch holds the whole input: a FeatureCollection is one document.
  const std::size_t batch = std::max<std::size_t>(text.size() + 1, ondemand::DEFAULT_BATCH_SIZE);
  ondemand::document_stream documents;
  if (const auto error = parser.iterate_many(padded, batch).get(documents); error != simdjson::SUCCESS) {
    report(1, json_problem(error));
    return;
  }
  for (auto it = documents.begin(); it != documents.end(); ++it) {
    const std::size_t line = std::max(reader.line_of(base, base + it.current_index()), reader.current_line());
    ondemand::document_reference document;
    if (const auto error = (*it).get(document); error != simdjson::SUCCESS) {
      report(line, json_problem(error));
      return;
    }
    ondemand::object root;
    std::string_view type;
    if (document.get_object().get(root) != simdjson::SUCCESS ||
        root.find_field_unordered("type").get_string().get(type) != simdjson::SUCCESS) {
      report(line, json_problem(simdjson::INCORRECT_TYPE));
      return;
    }
    if (type == "FeatureCollection") {
      ondemand::array features;
      if (root.find_field_unordered("features").get_array().get(features) != simdjson::SUCCESS) {
        report(line, "the FeatureCollection has no \"features\" array");
        return;
      }
      for (auto element : features) {
        ondemand::value value;
        if (const auto error = element.get(value); error != simdjson::SUCCESS) {
          report(reader.current_line(), json_problem(error));
          return;
        }
        const char* at = nullptr;
        const std::size_t feature_line = value.current_location().get(at) == simdjson::SUCCESS ? reader.line_of(base, at) : line;
        reader.feature(value, feature_line);
        if (reader.broken()) return;
      }
    } else if (type == "Feature") {
      reader.feature(root, line);  // fields are looked up in any order: "type" again too
      if (reader.broken()) return;
    } else {
      report(line, "the JSON has \"type\": \"" + std::string(type) +
                       "\": a FeatureCollection, or one Feature per line, is expected");
      return;
    }
  }
  if (documents.truncated_bytes() > 0) {
    report(std::max(reader.line_of(base, base + text.size()), reader.current_line()),
           json_problem(simdjson::TAPE_ERROR));
  }
}

}  // namespace dm::detail

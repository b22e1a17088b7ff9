#include "distance_matrix/output/csv_field_table.hpp"

#include <algorithm>

#include "distance_matrix/output/csv_field.hpp"

namespace dm {

void CsvFieldTable::add(const LocationTable& locations) {
  if (locations.size() <= size()) return;
  if (!bytes_.empty()) bytes_.resize(bytes_.size() - padding);
  if (starts_.empty()) starts_.push_back(0);
  starts_.reserve(locations.size() + 1);
  // The names lie end to end in the table: as many bytes as the fields
  // hold, and a sixteenth more for the quotes some need (exactly the
  // names' bytes, the 34 quoted cities of 171k doubled the 2.6 MB buffer,
  // a copy into 5.2 MB of fresh pages); more quotes grow it once more.
  const std::string_view first_name = locations.name(size());
  const std::string_view last_name = locations.name(locations.size() - 1);
  const auto name_bytes = static_cast<std::size_t>(last_name.data() + last_name.size() - first_name.data());
  bytes_.reserve(bytes_.size() + name_bytes + name_bytes / 16 + padding);
  for (std::size_t index = size(); index < locations.size(); ++index) {
    const std::size_t begin = bytes_.size();
    append_csv_field(bytes_, locations.name(index));
    starts_.push_back(bytes_.size());
    longest_ = std::max(longest_, bytes_.size() - begin);
  }
  bytes_.append(padding, '\0');
}

}  // namespace dm

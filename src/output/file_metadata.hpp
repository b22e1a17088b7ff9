#pragma once

// Internal to the library: how OutputFile makes a replacement look like the
// file it replaces.

#include <sys/stat.h>

#include <filesystem>

namespace dm::detail {

/// Gives the new file open on `replacement` the metadata of `original`, the
/// file it is about to replace (`status` is the original's lstat):
/// - owner and group, when the process may give files away (root);
/// - permission bits, set-user-ID and the like included;
/// - extended attributes: every one the process may set (user.* always,
///   trusted.* and security.* when privileged), POSIX ACLs included since
///   they are the attribute system.posix_acl_access. Attributes the new file
///   inherited (a default ACL of the folder) and the original lacks are
///   removed, so the replacement carries exactly the original's.
/// Returns 0, or the errno of the one failure that matters: the permission
/// bits could not be set (an attribute the process may not set is skipped, as
/// `cp -a` does without privileges).
[[nodiscard]] int copy_metadata(const std::filesystem::path& original, const struct stat& status,
                                int replacement);

}  // namespace dm::detail

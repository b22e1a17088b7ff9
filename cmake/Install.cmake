# Install rules: the tool, its man page and bash completion form the "runtime"
# component; headers, library, CMake package and pkg-config file form the
# "development" component. Tests, benchmarks and examples are never installed.
include(CMakePackageConfigHelpers)

set(DM_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/distance_matrix)

install(TARGETS distance_matrix_cli
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)

install(TARGETS distance_matrix EXPORT distance_matrixTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT development
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)

if(BUILD_SHARED_LIBS)
  # The tool finds the library beside it however the prefix is relocated.
  file(RELATIVE_PATH dm_libdir_from_bindir /prefix/${CMAKE_INSTALL_BINDIR} /prefix/${CMAKE_INSTALL_LIBDIR})
  set_target_properties(distance_matrix_cli PROPERTIES INSTALL_RPATH "$ORIGIN/${dm_libdir_from_bindir}")
endif()

# A directory install keeps headers added later by anyone installed without
# a list to maintain here.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/distance_matrix
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT development
  FILES_MATCHING PATTERN "*.hpp")
install(FILES ${PROJECT_BINARY_DIR}/generated/distance_matrix/version.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/distance_matrix COMPONENT development)

# CMake package: find_package(distance_matrix 0.1 CONFIG REQUIRED).
install(EXPORT distance_matrixTargets
  NAMESPACE distance_matrix::
  DESTINATION ${DM_INSTALL_CMAKEDIR} COMPONENT development)
# No build-tree export(): the library links its build-only targets
# (dm_project_options, asio_standalone) through $<BUILD_INTERFACE> (see
# src/CMakeLists.txt), which an export of the build tree would keep
# (dropping them there needs $<BUILD_LOCAL_INTERFACE>, CMake 3.26; Debian 12
# has 3.25). Consumers use the installed package.

# The CMake packages of the imported targets distance_matrix links, each
# named by its namespace (Threads::Threads, TBB::tbb). Build-only
# targets sit in $<BUILD_INTERFACE:...> and are never exported.
get_target_property(dm_library_type distance_matrix TYPE)
function(dm_packages_linked_through property result)
  get_target_property(linked distance_matrix ${property})
  set(packages "")
  foreach(item IN LISTS linked)
    if(item MATCHES "^([A-Za-z0-9_]+)::" AND TARGET ${item})
      list(APPEND packages ${CMAKE_MATCH_1})
    endif()
  endforeach()
  list(REMOVE_DUPLICATES packages)
  set(${result} ${packages} PARENT_SCOPE)
endfunction()
dm_packages_linked_through(LINK_LIBRARIES DM_LINKED_PACKAGES)
# A static library hands its private dependencies on to whoever links it; a
# shared one only its public ones.
if(dm_library_type STREQUAL "STATIC_LIBRARY")
  set(DM_CONSUMER_PACKAGES ${DM_LINKED_PACKAGES})
else()
  dm_packages_linked_through(INTERFACE_LINK_LIBRARIES DM_CONSUMER_PACKAGES)
endif()
list(JOIN DM_CONSUMER_PACKAGES " " DM_CONSUMER_PACKAGES_TEXT)

# The same dependencies as pkg-config modules (Threads is the -pthread flag).
set(dm_pc_module_TBB tbb)
set(dm_pc_module_ZLIB zlib)
set(dm_pc_module_zstd libzstd)
set(dm_pc_module_LibLZMA liblzma)
set(dm_pc_module_simdjson simdjson)
set(dm_pc_modules "")
foreach(dm_package IN LISTS DM_LINKED_PACKAGES)
  if(dm_package STREQUAL "Threads")
    continue()
  elseif(NOT DEFINED dm_pc_module_${dm_package})
    message(FATAL_ERROR "cmake/Install.cmake: name the pkg-config module of ${dm_package} (dm_pc_module_${dm_package})")
  endif()
  list(APPEND dm_pc_modules ${dm_pc_module_${dm_package}})
endforeach()
# GeographicLib and libdeflate are linked by name, not as CMake packages (see src/CMakeLists.txt).
list(APPEND dm_pc_modules geographiclib libdeflate)
list(JOIN dm_pc_modules " " dm_pc_modules)
if(dm_library_type STREQUAL "STATIC_LIBRARY")
  set(DM_PC_REQUIRES "${dm_pc_modules}")
  set(DM_PC_REQUIRES_PRIVATE "")
else()
  set(DM_PC_REQUIRES "")
  set(DM_PC_REQUIRES_PRIVATE "${dm_pc_modules}")
endif()

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/distance_matrixConfig.cmake.in
  ${PROJECT_BINARY_DIR}/distance_matrixConfig.cmake
  INSTALL_DESTINATION ${DM_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/distance_matrixConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES
    ${PROJECT_BINARY_DIR}/distance_matrixConfig.cmake
    ${PROJECT_BINARY_DIR}/distance_matrixConfigVersion.cmake
  DESTINATION ${DM_INSTALL_CMAKEDIR} COMPONENT development)

# pkg-config: relative to its own folder, so `cmake --install --prefix` may
# put the tree anywhere.
file(RELATIVE_PATH DM_PC_PREFIX_FROM_PCFILEDIR
  /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(${CMAKE_CURRENT_LIST_DIR}/distance_matrix.pc.in
  ${PROJECT_BINARY_DIR}/distance_matrix.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/distance_matrix.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT development)

install(FILES ${PROJECT_SOURCE_DIR}/packaging/bash_completion.bash
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
  RENAME distance_matrix COMPONENT runtime)

# cpack -G DEB: the tool as the Debian package "distance-matrix" (runtime
# component: binary, man page, bash completion) and the C++ library as
# "libdistance-matrix-dev" (development component: headers, library, CMake
# and pkg-config files). Runtime dependencies are computed from the binary by
# dpkg-shlibdeps, not listed by hand.
set(CPACK_PACKAGE_NAME distance-matrix)
set(CPACK_PACKAGE_VENDOR "distance_matrix project")
set(CPACK_PACKAGE_CONTACT "distance_matrix maintainers <distance-matrix@localhost>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime development)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION science)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME distance-matrix)
# Each component's description starts with its own synopsis line; an empty
# global summary keeps CPack from prepending one shared synopsis to both.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "")
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION
"great-circle distances between every pair of locations in a CSV file
distance_matrix reads name,latitude,longitude CSV files and writes the
great-circle distance of every pair of locations, through any execution
strategy of the classic concurrency workshop: a sequential loop, a thread
per task, a thread pool, forked processes, an Asio async pipeline and oneTBB
work stealing. Every strategy writes the same bytes; the output file appears
only once complete.")

set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_NAME libdistance-matrix-dev)
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_SECTION libdevel)
if(dm_library_type STREQUAL "STATIC_LIBRARY")
  # Linking the static library needs the -dev packages of its dependencies:
  # those owning the CMake package folders find_package used (libtbb-dev, ...).
  set(dm_dev_depends "")
  # Packages found by CMake's own Find modules have no folder of their own.
  set(dm_deb_dev_ZLIB zlib1g-dev)
  set(dm_deb_dev_LibLZMA liblzma-dev)
  foreach(dm_package IN LISTS DM_CONSUMER_PACKAGES)
    if(DEFINED dm_deb_dev_${dm_package})
      list(APPEND dm_dev_depends ${dm_deb_dev_${dm_package}})
    elseif(DEFINED ${dm_package}_DIR)
      execute_process(COMMAND dpkg-query -S ${${dm_package}_DIR}
        OUTPUT_VARIABLE dm_owner RESULT_VARIABLE dm_status ERROR_QUIET)
      if(dm_status EQUAL 0 AND dm_owner MATCHES "^([^:,]+)")
        list(APPEND dm_dev_depends ${CMAKE_MATCH_1})
      endif()
    endif()
  endforeach()
  list(JOIN dm_dev_depends ", " CPACK_DEBIAN_DEVELOPMENT_PACKAGE_DEPENDS)
else()
  # libdistance_matrix.so points to the shared library in the runtime package.
  set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_DEPENDS "distance-matrix (= ${PROJECT_VERSION})")
endif()

set(CPACK_DEBIAN_DEVELOPMENT_DESCRIPTION
"C++20 library of distance_matrix: headers, CMake package, pkg-config
The great-circle distance kernel, CSV reader and writer, atomic output file
and execution strategies of distance_matrix, for C++ projects, through
find_package(distance_matrix CONFIG) or pkg-config.")

include(CPack)
cpack_add_component(runtime DISPLAY_NAME "Command-line tool" REQUIRED)
cpack_add_component(development DISPLAY_NAME "C++ library and headers")

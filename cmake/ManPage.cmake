# distance_matrix(1), generated at build time from the tool's --help with
# Debian's help2man (see packaging/make_man_page.sh), installed with the tool.
find_program(HELP2MAN_EXECUTABLE help2man)
if(NOT HELP2MAN_EXECUTABLE)
  message(WARNING "help2man not found: the man page will not be built (./scripts/setup installs it)")
  return()
endif()

set(dm_man_page ${PROJECT_BINARY_DIR}/distance_matrix.1)
add_custom_command(OUTPUT ${dm_man_page}
  COMMAND sh ${PROJECT_SOURCE_DIR}/packaging/make_man_page.sh
    $<TARGET_FILE:distance_matrix_cli> ${PROJECT_SOURCE_DIR}/packaging/man_sections.h2m ${dm_man_page}
  DEPENDS distance_matrix_cli
    ${PROJECT_SOURCE_DIR}/packaging/make_man_page.sh ${PROJECT_SOURCE_DIR}/packaging/man_sections.h2m
  COMMENT "Generating the man page distance_matrix.1 from --help"
  VERBATIM)
add_custom_target(distance_matrix_man ALL DEPENDS ${dm_man_page})
install(FILES ${dm_man_page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT runtime)

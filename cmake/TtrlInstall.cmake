# Installs the library, the CLI, the public headers and an exported CMake package:
#   cmake --install build --prefix P   then, in a user's project:   find_package(ttrl) ... target_link_libraries(x ttrl::ttrl)
include(CMakePackageConfigHelpers)
set(TTRL_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/ttrl)

install(TARGETS ttrl EXPORT ttrlTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS ttrl_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/ttrl DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT ttrlTargets NAMESPACE ttrl:: DESTINATION ${TTRL_CMAKE_DIR})

configure_package_config_file(cmake/ttrlConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/ttrlConfig.cmake
                              INSTALL_DESTINATION ${TTRL_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/ttrlConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/ttrlConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/ttrlConfigVersion.cmake
        DESTINATION ${TTRL_CMAKE_DIR})

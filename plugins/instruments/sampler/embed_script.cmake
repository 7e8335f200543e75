# embed_script.cmake — writes OUTPUT, a C file defining `const char SYMBOL[]`
# with the text of INPUT, for a script the SVG writer puts in a CDATA
# section: a "]]>" in it would end that section early, so it is refused.
# Usage: cmake -DINPUT=file.js -DOUTPUT=file.c -DSYMBOL=name -DHEADER=name.h -P embed_script.cmake
file(READ "${INPUT}" text)
string(FIND "${text}" "]]>" cdata_end)
if(NOT cdata_end EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains \"]]>\", which would end the SVG's CDATA section")
endif()
file(READ "${INPUT}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
# One line of C per line of the script.
string(REPLACE "0x0a," "0x0a,\n" bytes "${bytes}")
get_filename_component(input_name "${INPUT}" NAME)
file(WRITE "${OUTPUT}.tmp"
     "/* Generated from ${input_name} by embed_script.cmake: do not edit. */\n"
     "#include \"${HEADER}\"\n\n"
     "const char ${SYMBOL}[] = {\n${bytes}0x00};\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")

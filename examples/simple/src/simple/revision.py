"""The file the bench's incremental step edits: it appends `PERFANITY_EDIT = <n>`
lines here, so a rebuilt PEX must print the new number."""
PERFANITY_EDIT = 0

/* A ring backend for tests: ring pages are files in a directory, with no event channels. */
#ifndef XENSTORED_RING_FILE_H
#define XENSTORED_RING_FILE_H

struct ring_backend;

/* Domain N's ring page is the file @dir/domain-N (at least one struct xenstore_domain_interface). */
const struct ring_backend *ring_file_backend(const char *dir);

#endif

/** GenStream ingest. */
package io.genstream.ingest;

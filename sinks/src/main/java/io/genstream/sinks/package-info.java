/** GenStream sinks. */
package io.genstream.sinks;

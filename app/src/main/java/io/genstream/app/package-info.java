/** GenStream app. */
package io.genstream.app;

/** GenStream generator. */
package io.genstream.generator;

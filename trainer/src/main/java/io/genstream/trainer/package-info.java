/** GenStream trainer. */
package io.genstream.trainer;

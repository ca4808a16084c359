/** An OpenAI-compatible HTTP server over tessera's Java API. */
package org.tessera.server;

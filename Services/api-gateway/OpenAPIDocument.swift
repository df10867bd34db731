/// The OpenAPI 3.1 document of the public API: every route the gateway serves or routes, as
/// the API contract (API.md) and the services define them; `GET /openapi.json` serves it as it is.
///
/// Keep it in step with the services' controllers: a route, field, status code or auth rule
/// that changes there changes here.
enum OpenAPIDocument {
    static let json = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "swift-shop API",
            "version": "1.0.0",
            "summary": "The public API of the swift-shop e-commerce backend, served through its API gateway.",
            "description": "Every route is called through the API gateway. Bodies are JSON; money is `{amount, currency}` in integer minor units. Every error is `application/problem+json` (schema `Problem`) and every response carries `X-Request-ID`. Authentication: `Authorization: Bearer <accessToken>` from `POST /v1/auth/login` (`x-auth` on each operation says `public`, `user`, `owner` (the resource's owner or an admin; anyone else gets 404) or `admin`). Clients are rate limited per user (per address when anonymous, with a stricter class for login, registration and refresh): answers carry `RateLimit-*` headers and a refused request gets 429 with `Retry-After`. An unavailable upstream gives 503 with `Retry-After`, a slow one 504. A path called with a method it does not support answers 405 with `Allow`. Lists are paged with `limit` and `cursor`.",
            "license": {
              "name": "MIT",
              "identifier": "MIT"
            }
          },
          "servers": [
            {
              "url": "http://localhost:8080",
              "description": "The API gateway of `make run`."
            }
          ],
          "tags": [
            {
              "name": "gateway",
              "description": "Health, metrics, status and this document, answered by the gateway itself."
            },
            {
              "name": "auth",
              "description": "Accounts, tokens and signing keys."
            },
            {
              "name": "users",
              "description": "Profiles and addresses."
            },
            {
              "name": "products",
              "description": "The catalog and inventory."
            },
            {
              "name": "orders",
              "description": "Orders and the checkout saga."
            },
            {
              "name": "payments",
              "description": "Saved cards and payments."
            },
            {
              "name": "notifications",
              "description": "Notifications and webhooks."
            },
            {
              "name": "dead-letters",
              "description": "Admin: events the consumers gave up on."
            }
          ],
          "paths": {
            "/health/live": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "get": {
                "operationId": "getLiveness",
                "summary": "Liveness",
                "description": "Whether the gateway process is alive. Every service answers the same route on its own port.\n\nAuth: none (public).",
                "tags": [
                  "gateway"
                ],
                "x-auth": "public",
                "security": [],
                "responses": {
                  "200": {
                    "description": "The process is up.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/HealthStatus"
                        },
                        "example": {
                          "status": "ok"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/health/ready": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "get": {
                "operationId": "getReadiness",
                "summary": "Readiness",
                "description": "Whether the gateway can serve: its dependencies are reachable.\n\nAuth: none (public).",
                "tags": [
                  "gateway"
                ],
                "x-auth": "public",
                "security": [],
                "responses": {
                  "200": {
                    "description": "Every dependency of the gateway (Redis) answers.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/HealthStatus"
                        },
                        "example": {
                          "status": "ok",
                          "checks": {
                            "redis": "ok"
                          }
                        }
                      }
                    }
                  },
                  "503": {
                    "description": "Not ready: a dependency does not answer. The problem (type `/problems/not-ready`) has one extra member per check, `ok` or `unavailable`.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "Retry-After": {
                        "$ref": "#/components/headers/Retry-After"
                      }
                    },
                    "content": {
                      "application/problem+json": {
                        "schema": {
                          "$ref": "#/components/schemas/Problem"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/metrics": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "get": {
                "operationId": "getMetrics",
                "summary": "Prometheus metrics",
                "description": "The gateway's metrics in the Prometheus text format (`text/plain; version=0.0.4`).\n\nAuth: none (public).",
                "tags": [
                  "gateway"
                ],
                "x-auth": "public",
                "security": [],
                "responses": {
                  "200": {
                    "description": "Prometheus text exposition format 0.0.4: `http_requests_total`, `http_request_duration_seconds`, `service_client_breaker_state`, …",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      }
                    },
                    "content": {
                      "text/plain": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/openapi.json": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "get": {
                "operationId": "getOpenAPIDocument",
                "summary": "This OpenAPI document",
                "description": "The OpenAPI 3.1 document of this API, served by the gateway itself.\n\nAuth: none (public).",
                "tags": [
                  "gateway"
                ],
                "x-auth": "public",
                "security": [],
                "responses": {
                  "200": {
                    "description": "The OpenAPI 3.1 document of the public API.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      },
                      "Cache-Control": {
                        "$ref": "#/components/headers/Cache-Control"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "description": "An OpenAPI 3.1 document."
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  }
                }
              }
            },
            "/v1/status": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "get": {
                "operationId": "getStatus",
                "summary": "System status",
                "description": "Answered by the gateway, which probes every instance's readiness. With an admin's token every service also lists its instances and the state of their circuit breakers.\n\nAuth: none needed; an admin's token shows more.",
                "tags": [
                  "gateway"
                ],
                "x-auth": "optional",
                "security": [
                  {},
                  {
                    "bearerAuth": []
                  }
                ],
                "responses": {
                  "200": {
                    "description": "Whether each service has at least one ready instance; `degraded` when any is down.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Status"
                        },
                        "example": {
                          "status": "ok",
                          "services": [
                            {
                              "name": "api-gateway",
                              "status": "up"
                            },
                            {
                              "name": "order",
                              "status": "up"
                            }
                          ]
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  }
                }
              }
            },
            "/v1/auth/register": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "post": {
                "operationId": "register",
                "summary": "Register an account",
                "description": "Creates a customer account. The email is trimmed and lower-cased.\n\nAuth: none (public).",
                "tags": [
                  "auth"
                ],
                "x-auth": "public",
                "security": [],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/Registration"
                      },
                      "example": {
                        "email": "alice@example.com",
                        "password": "correct horse",
                        "name": "Alice"
                      }
                    }
                  }
                },
                "responses": {
                  "201": {
                    "description": "The account. Its profile is created asynchronously (see `GET /v1/users/me`).",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      },
                      "Location": {
                        "$ref": "#/components/headers/Location"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Account"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "409": {
                    "$ref": "#/components/responses/Conflict"
                  },
                  "413": {
                    "$ref": "#/components/responses/ContentTooLarge"
                  },
                  "422": {
                    "$ref": "#/components/responses/ValidationFailed"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              }
            },
            "/v1/auth/login": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "post": {
                "operationId": "login",
                "summary": "Log in",
                "description": "A wrong email and a wrong password give the same 401. Repeated failures for an account or from a client are refused with 429 and `Retry-After`.\n\nAuth: none (public).",
                "tags": [
                  "auth"
                ],
                "x-auth": "public",
                "security": [],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/Login"
                      },
                      "example": {
                        "email": "alice@example.com",
                        "password": "correct horse"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "An access token (ES256 JWT) and a refresh token.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      },
                      "Cache-Control": {
                        "$ref": "#/components/headers/Cache-Control"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/TokenPair"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "413": {
                    "$ref": "#/components/responses/ContentTooLarge"
                  },
                  "422": {
                    "$ref": "#/components/responses/ValidationFailed"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              }
            },
            "/v1/auth/refresh": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "post": {
                "operationId": "refreshTokens",
                "summary": "Rotate a refresh token",
                "description": "Exchanges a refresh token for a new pair. A spent refresh token presented again is refused (401) and revokes its whole family.\n\nAuth: none (public).",
                "tags": [
                  "auth"
                ],
                "x-auth": "public",
                "security": [],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/RefreshRequest"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "A new pair; the refresh token sent is spent.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      },
                      "Cache-Control": {
                        "$ref": "#/components/headers/Cache-Control"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/TokenPair"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "413": {
                    "$ref": "#/components/responses/ContentTooLarge"
                  },
                  "422": {
                    "$ref": "#/components/responses/ValidationFailed"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              }
            },
            "/v1/auth/logout": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "post": {
                "operationId": "logout",
                "summary": "Log out",
                "description": "Revokes the refresh token and every token rotated from the same login.\n\nAuth: none (public).",
                "tags": [
                  "auth"
                ],
                "x-auth": "public",
                "security": [],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/RefreshRequest"
                      }
                    }
                  }
                },
                "responses": {
                  "204": {
                    "description": "The refresh token's family is revoked (also when it was unknown).",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "413": {
                    "$ref": "#/components/responses/ContentTooLarge"
                  },
                  "422": {
                    "$ref": "#/components/responses/ValidationFailed"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              }
            },
            "/v1/auth/jwks": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "get": {
                "operationId": "getJWKS",
                "summary": "Token verification keys",
                "description": "The public keys (EC P-256, ES256) of the access tokens, including retired keys still within their grace period.\n\nAuth: none (public).",
                "tags": [
                  "auth"
                ],
                "x-auth": "public",
                "security": [],
                "responses": {
                  "200": {
                    "description": "The JSON Web Key Set that verifies access tokens.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      },
                      "Cache-Control": {
                        "$ref": "#/components/headers/Cache-Control"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/JWKS"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              }
            },
            "/v1/auth/keys/rotate": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "post": {
                "operationId": "rotateSigningKey",
                "summary": "Rotate the signing key",
                "description": "Auth: an access token with the role `admin` (403 otherwise).",
                "tags": [
                  "auth"
                ],
                "x-auth": "admin",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "responses": {
                  "201": {
                    "description": "A new key signs from now on; the previous one still verifies until its tokens expire.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/RotatedKey"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              }
            },
            "/v1/users/me": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "get": {
                "operationId": "getMyProfile",
                "summary": "My profile",
                "description": "404 while the profile of a just registered account is still being created.\n\nAuth: any valid access token.",
                "tags": [
                  "users"
                ],
                "x-auth": "user",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The caller's profile.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Profile"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              },
              "patch": {
                "operationId": "updateMyProfile",
                "summary": "Update my profile",
                "description": "Absent fields stay as they are; `\"phone\": null` removes the phone; `addresses` replaces the whole list. Publishes `user.updated`.\n\nAuth: any valid access token.",
                "tags": [
                  "users"
                ],
                "x-auth": "user",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/ProfileChanges"
                      },
                      "example": {
                        "phone": "+44 20 7946 0958",
                        "addresses": [
                          {
                            "label": "Home",
                            "line1": "1 High St",
                            "city": "London",
                            "postalCode": "SW1A 1AA",
                            "country": "GB"
                          }
                        ]
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "The profile as it is now.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Profile"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  },
                  "413": {
                    "$ref": "#/components/responses/ContentTooLarge"
                  },
                  "422": {
                    "$ref": "#/components/responses/ValidationFailed"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              }
            },
            "/v1/users": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "get": {
                "operationId": "listProfiles",
                "summary": "List profiles",
                "description": "Auth: an access token with the role `admin` (403 otherwise).",
                "tags": [
                  "users"
                ],
                "x-auth": "admin",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/limit"
                  },
                  {
                    "$ref": "#/components/parameters/cursor"
                  }
                ],
                "responses": {
                  "200": {
                    "description": "A page of profiles.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/ProfilePage"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "422": {
                    "$ref": "#/components/responses/ValidationFailed"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              }
            },
            "/v1/users/{id}": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "get": {
                "operationId": "getProfile",
                "summary": "A profile",
                "description": "Auth: the resource's owner or an admin; anyone else gets 404.",
                "tags": [
                  "users"
                ],
                "x-auth": "owner",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "The user's (account's) id.",
                    "schema": {
                      "type": "string",
                      "format": "uuid"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The profile.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Profile"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              }
            },
            "/v1/users/dead-letters": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "get": {
                "operationId": "listUserDeadLetters",
                "summary": "Dead letters of the user service",
                "description": "Events the user service's consumer gave up on (stream `deadletter:user`).\n\nAuth: an access token with the role `admin` (403 otherwise).",
                "tags": [
                  "dead-letters"
                ],
                "x-auth": "admin",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The oldest 100 dead letters (`nextCursor` is always null).",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/DeadLetterPage"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              }
            },
            "/v1/users/dead-letters/{id}/redrive": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "post": {
                "operationId": "redriveUserDeadLetter",
                "summary": "Redrive a dead letter of the user service",
                "description": "Puts the event back on the stream it came from, so the consumer group delivers it again.\n\nAuth: an access token with the role `admin` (403 otherwise).",
                "tags": [
                  "dead-letters"
                ],
                "x-auth": "admin",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/deadLetterId"
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The event is back on its stream and no longer a dead letter.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Redriven"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              }
            },
            "/v1/products": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "get": {
                "operationId": "listProducts",
                "summary": "List products",
                "description": "The catalog without archived products.\n\nAuth: none (public).",
                "tags": [
                  "products"
                ],
                "x-auth": "public",
                "security": [],
                "parameters": [
                  {
                    "name": "q",
                    "in": "query",
                    "required": false,
                    "description": "Text search in name and description. The query string is read as a form: `+` is a space, `%2B` a plus sign.",
                    "schema": {
                      "type": "string",
                      "maxLength": 200
                    }
                  },
                  {
                    "name": "category",
                    "in": "query",
                    "required": false,
                    "description": "Only this category.",
                    "schema": {
                      "type": "string",
                      "examples": [
                        "apparel"
                      ]
                    }
                  },
                  {
                    "$ref": "#/components/parameters/limit"
                  },
                  {
                    "$ref": "#/components/parameters/cursor"
                  }
                ],
                "responses": {
                  "200": {
                    "description": "A page of products in SKU order.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/ProductPage"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "422": {
                    "$ref": "#/components/responses/ValidationFailed"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              },
              "post": {
                "operationId": "createProduct",
                "summary": "Create a product",
                "description": "409 when the SKU is taken (archived products keep theirs). Publishes `product.created`.\n\nAuth: an access token with the role `admin` (403 otherwise).",
                "tags": [
                  "products"
                ],
                "x-auth": "admin",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/NewProduct"
                      },
                      "example": {
                        "sku": "MUG-01",
                        "name": "Mug",
                        "description": "A mug.",
                        "category": "home-office",
                        "price": {
                          "amount": 1299,
                          "currency": "USD"
                        },
                        "available": 10
                      }
                    }
                  }
                },
                "responses": {
                  "201": {
                    "description": "The product.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      },
                      "Location": {
                        "$ref": "#/components/headers/Location"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Product"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "409": {
                    "$ref": "#/components/responses/Conflict"
                  },
                  "413": {
                    "$ref": "#/components/responses/ContentTooLarge"
                  },
                  "422": {
                    "$ref": "#/components/responses/ValidationFailed"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              }
            },
            "/v1/products/{id}": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "get": {
                "operationId": "getProduct",
                "summary": "A product",
                "description": "404 for unknown and archived products.\n\nAuth: none (public).",
                "tags": [
                  "products"
                ],
                "x-auth": "public",
                "security": [],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "The product's id.",
                    "schema": {
                      "type": "string",
                      "format": "uuid"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The product.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Product"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              },
              "patch": {
                "operationId": "updateProduct",
                "summary": "Update a product",
                "description": "Partial update: absent fields stay as they are. Stock is counted with `PUT /v1/products/{id}/inventory`.\n\nAuth: an access token with the role `admin` (403 otherwise).",
                "tags": [
                  "products"
                ],
                "x-auth": "admin",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "The product's id.",
                    "schema": {
                      "type": "string",
                      "format": "uuid"
                    }
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/ProductChanges"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "The product as it is now.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Product"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  },
                  "409": {
                    "$ref": "#/components/responses/Conflict"
                  },
                  "413": {
                    "$ref": "#/components/responses/ContentTooLarge"
                  },
                  "422": {
                    "$ref": "#/components/responses/ValidationFailed"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              },
              "delete": {
                "operationId": "archiveProduct",
                "summary": "Archive a product",
                "description": "Auth: an access token with the role `admin` (403 otherwise).",
                "tags": [
                  "products"
                ],
                "x-auth": "admin",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "The product's id.",
                    "schema": {
                      "type": "string",
                      "format": "uuid"
                    }
                  }
                ],
                "responses": {
                  "204": {
                    "description": "Archived (also when it already was): no longer listed or orderable.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              }
            },
            "/v1/products/{id}/inventory": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "put": {
                "operationId": "setInventory",
                "summary": "Count the stock",
                "description": "A stock count: sets the units on hand (in stock and not sold, those held for pending orders included); held units stay held, so releasing or committing them later neither invents nor loses any. `available` (the sellable units) becomes the count minus the held units. Give the count as `onHand`, or as `available` (the same count, by this route's original field name). 409 when pending orders hold more units than the count. Publishes `inventory.changed`.\n\nAuth: an access token with the role `admin` (403 otherwise).",
                "tags": [
                  "products"
                ],
                "x-auth": "admin",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "The product's id.",
                    "schema": {
                      "type": "string",
                      "format": "uuid"
                    }
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/InventoryLevel"
                      },
                      "example": {
                        "onHand": 25
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "The product with its new stock.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Product"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  },
                  "409": {
                    "$ref": "#/components/responses/Conflict"
                  },
                  "413": {
                    "$ref": "#/components/responses/ContentTooLarge"
                  },
                  "422": {
                    "$ref": "#/components/responses/ValidationFailed"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              }
            },
            "/v1/orders": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "post": {
                "operationId": "placeOrder",
                "summary": "Place an order",
                "description": "Prices come from the catalog. With `Idempotency-Key`, the same key and body again answer the same order; the same key with another body is a 409. 422 names unknown or archived products, a payment method that is not the caller's or has expired, and a total beyond 10^12 minor units (`items`).\n\nAuth: any valid access token.",
                "tags": [
                  "orders"
                ],
                "x-auth": "user",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/Idempotency-Key"
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/OrderRequest"
                      },
                      "example": {
                        "items": [
                          {
                            "productId": "0b3c9e2a-6a53-4a8e-9d0e-2d7f1c4b5a61",
                            "quantity": 2
                          }
                        ],
                        "paymentMethodId": "6f1d2c3b-4a59-4e8f-8a7b-1c2d3e4f5a6b",
                        "shippingAddress": {
                          "line1": "1 High St",
                          "city": "London",
                          "postalCode": "SW1A 1AA",
                          "country": "GB"
                        }
                      }
                    }
                  }
                },
                "responses": {
                  "202": {
                    "description": "The order, `pending`: the checkout saga (reserve stock, authorize, commit and capture) runs on; poll the order.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      },
                      "Location": {
                        "$ref": "#/components/headers/Location"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Order"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "409": {
                    "$ref": "#/components/responses/Conflict"
                  },
                  "413": {
                    "$ref": "#/components/responses/ContentTooLarge"
                  },
                  "422": {
                    "$ref": "#/components/responses/ValidationFailed"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              },
              "get": {
                "operationId": "listOrders",
                "summary": "List orders",
                "description": "Auth: any valid access token.",
                "tags": [
                  "orders"
                ],
                "x-auth": "user",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "name": "status",
                    "in": "query",
                    "required": false,
                    "description": "Only orders with this status.",
                    "schema": {
                      "$ref": "#/components/schemas/OrderStatus"
                    }
                  },
                  {
                    "$ref": "#/components/parameters/limit"
                  },
                  {
                    "$ref": "#/components/parameters/cursor"
                  }
                ],
                "responses": {
                  "200": {
                    "description": "A page of orders, newest first: the caller's own (an admin's: everyone's).",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/OrderPage"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "422": {
                    "$ref": "#/components/responses/ValidationFailed"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              }
            },
            "/v1/orders/{id}": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "get": {
                "operationId": "getOrder",
                "summary": "An order",
                "description": "Auth: the resource's owner or an admin; anyone else gets 404.",
                "tags": [
                  "orders"
                ],
                "x-auth": "owner",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "The order's id.",
                    "schema": {
                      "type": "string",
                      "format": "uuid"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The order.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Order"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              }
            },
            "/v1/orders/{id}/cancel": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "post": {
                "operationId": "cancelOrder",
                "summary": "Cancel an order",
                "description": "409 when the order is already cancelled or being cancelled.\n\nAuth: the resource's owner or an admin; anyone else gets 404.",
                "tags": [
                  "orders"
                ],
                "x-auth": "owner",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "The order's id.",
                    "schema": {
                      "type": "string",
                      "format": "uuid"
                    }
                  }
                ],
                "responses": {
                  "202": {
                    "description": "Cancellation requested: the saga releases the stock and voids or refunds the payment, then the order is `cancelled` with `customer_request`.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      },
                      "Location": {
                        "$ref": "#/components/headers/Location"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Order"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  },
                  "409": {
                    "$ref": "#/components/responses/Conflict"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              }
            },
            "/v1/payments/methods": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "post": {
                "operationId": "addPaymentMethod",
                "summary": "Save a card",
                "description": "422 for a number that fails the Luhn check or has the wrong length, an expired card, a bad cvc. Test cards (any future expiry, any cvc): 4242424242424242 approves; 4000000000000002 is declined; 4000000000009995 is declined for insufficient funds; 4000000000000119 fails transiently.\n\nAuth: any valid access token.",
                "tags": [
                  "payments"
                ],
                "x-auth": "user",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/NewPaymentMethod"
                      },
                      "example": {
                        "cardNumber": "4242424242424242",
                        "expMonth": 12,
                        "expYear": 2030,
                        "cvc": "123",
                        "holderName": "Alice"
                      }
                    }
                  }
                },
                "responses": {
                  "201": {
                    "description": "The saved card: brand and last four digits, never the number.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/PaymentMethod"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "413": {
                    "$ref": "#/components/responses/ContentTooLarge"
                  },
                  "422": {
                    "$ref": "#/components/responses/ValidationFailed"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              },
              "get": {
                "operationId": "listPaymentMethods",
                "summary": "List my cards",
                "description": "Auth: any valid access token.",
                "tags": [
                  "payments"
                ],
                "x-auth": "user",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/limit"
                  },
                  {
                    "$ref": "#/components/parameters/cursor"
                  }
                ],
                "responses": {
                  "200": {
                    "description": "A page of the caller's cards, newest first.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/PaymentMethodPage"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "422": {
                    "$ref": "#/components/responses/ValidationFailed"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              }
            },
            "/v1/payments": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "get": {
                "operationId": "listPayments",
                "summary": "List payments",
                "description": "Auth: any valid access token.",
                "tags": [
                  "payments"
                ],
                "x-auth": "user",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "name": "orderId",
                    "in": "query",
                    "required": false,
                    "description": "Only the payment of this order.",
                    "schema": {
                      "type": "string",
                      "format": "uuid"
                    }
                  },
                  {
                    "$ref": "#/components/parameters/limit"
                  },
                  {
                    "$ref": "#/components/parameters/cursor"
                  }
                ],
                "responses": {
                  "200": {
                    "description": "A page of payments, newest first: the caller's own (an admin's: everyone's).",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/PaymentPage"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "422": {
                    "$ref": "#/components/responses/ValidationFailed"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              }
            },
            "/v1/notifications": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "get": {
                "operationId": "listNotifications",
                "summary": "List my notifications",
                "description": "Auth: any valid access token.",
                "tags": [
                  "notifications"
                ],
                "x-auth": "user",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/limit"
                  },
                  {
                    "$ref": "#/components/parameters/cursor"
                  }
                ],
                "responses": {
                  "200": {
                    "description": "A page of the caller's notifications, newest first.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/NotificationPage"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "422": {
                    "$ref": "#/components/responses/ValidationFailed"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              }
            },
            "/v1/notifications/{id}/read": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "post": {
                "operationId": "markNotificationRead",
                "summary": "Mark a notification read",
                "description": "Only the owner's own notifications match; any other id is a 404 (for admins too).\n\nAuth: the resource's owner or an admin; anyone else gets 404.",
                "tags": [
                  "notifications"
                ],
                "x-auth": "owner",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "The notification's id.",
                    "schema": {
                      "type": "string",
                      "format": "uuid"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The notification, with `readAt` set (kept when it was read before).",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Notification"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              }
            },
            "/v1/notifications/webhooks": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "post": {
                "operationId": "createWebhook",
                "summary": "Register a webhook",
                "description": "Later notifications of the caller are POSTed to `url` (see the `notification` webhook), signed in `X-Signature` with HMAC-SHA256 under the secret. At most 10 webhooks per user (409 beyond). The URL must be absolute http(s), and not a loopback, private or link-local address.\n\nAuth: any valid access token.",
                "tags": [
                  "notifications"
                ],
                "x-auth": "user",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/NewWebhook"
                      },
                      "example": {
                        "url": "https://example.com/hooks/shop"
                      }
                    }
                  }
                },
                "responses": {
                  "201": {
                    "description": "The webhook with its signing secret, shown only this once.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/WebhookCreated"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "409": {
                    "$ref": "#/components/responses/Conflict"
                  },
                  "413": {
                    "$ref": "#/components/responses/ContentTooLarge"
                  },
                  "422": {
                    "$ref": "#/components/responses/ValidationFailed"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              },
              "get": {
                "operationId": "listWebhooks",
                "summary": "List my webhooks",
                "description": "Auth: any valid access token.",
                "tags": [
                  "notifications"
                ],
                "x-auth": "user",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The caller's webhooks, without secrets (one page; `nextCursor` is null).",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/WebhookPage"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              }
            },
            "/v1/notifications/webhooks/{id}": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "delete": {
                "operationId": "deleteWebhook",
                "summary": "Delete a webhook",
                "description": "Only the owner's own webhooks match; any other id is a 404.\n\nAuth: the resource's owner or an admin; anyone else gets 404.",
                "tags": [
                  "notifications"
                ],
                "x-auth": "owner",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "The webhook's id.",
                    "schema": {
                      "type": "string",
                      "format": "uuid"
                    }
                  }
                ],
                "responses": {
                  "204": {
                    "description": "Deleted.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              }
            },
            "/v1/notifications/dead-letters": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "get": {
                "operationId": "listNotificationDeadLetters",
                "summary": "Dead letters of the notification service",
                "description": "Events the notification service's consumer gave up on (stream `deadletter:notification`).\n\nAuth: an access token with the role `admin` (403 otherwise).",
                "tags": [
                  "dead-letters"
                ],
                "x-auth": "admin",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The oldest 100 dead letters (`nextCursor` is always null).",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/DeadLetterPage"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              }
            },
            "/v1/notifications/dead-letters/{id}/redrive": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/X-Request-ID"
                }
              ],
              "post": {
                "operationId": "redriveNotificationDeadLetter",
                "summary": "Redrive a dead letter of the notification service",
                "description": "Puts the event back on the stream it came from, so the consumer group delivers it again.\n\nAuth: an access token with the role `admin` (403 otherwise).",
                "tags": [
                  "dead-letters"
                ],
                "x-auth": "admin",
                "security": [
                  {
                    "bearerAuth": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/deadLetterId"
                  }
                ],
                "responses": {
                  "200": {
                    "description": "The event is back on its stream and no longer a dead letter.",
                    "headers": {
                      "X-Request-ID": {
                        "$ref": "#/components/headers/X-Request-ID"
                      },
                      "RateLimit-Limit": {
                        "$ref": "#/components/headers/RateLimit-Limit"
                      },
                      "RateLimit-Remaining": {
                        "$ref": "#/components/headers/RateLimit-Remaining"
                      },
                      "RateLimit-Reset": {
                        "$ref": "#/components/headers/RateLimit-Reset"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Redriven"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "500": {
                    "$ref": "#/components/responses/InternalError"
                  },
                  "502": {
                    "$ref": "#/components/responses/BadGateway"
                  },
                  "503": {
                    "$ref": "#/components/responses/ServiceUnavailable"
                  },
                  "504": {
                    "$ref": "#/components/responses/GatewayTimeout"
                  }
                }
              }
            }
          },
          "webhooks": {
            "notification": {
              "post": {
                "operationId": "deliverNotification",
                "summary": "A notification, delivered to a registered webhook",
                "description": "Sent for every new notification of the webhook's owner. Verify `X-Signature` (`t=<unix seconds>,v1=<hex>`): `v1` is the lower-case hex HMAC-SHA256, keyed with the UTF-8 bytes of the webhook's secret, of `<t>.<raw body>`; refuse old timestamps to prevent replays. A delivery that does not get a 2xx answer in time is retried with backoff and finally dead-lettered.",
                "tags": [
                  "notifications"
                ],
                "parameters": [
                  {
                    "name": "X-Signature",
                    "in": "header",
                    "required": true,
                    "description": "`t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\">`.",
                    "schema": {
                      "type": "string",
                      "pattern": "^t=[0-9]+,v1=[0-9a-f]{64}$"
                    }
                  },
                  {
                    "name": "X-Webhook-Id",
                    "in": "header",
                    "required": true,
                    "description": "The delivery's id: the same on every retry of one delivery.",
                    "schema": {
                      "type": "string",
                      "format": "uuid"
                    }
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/WebhookDelivery"
                      }
                    }
                  }
                },
                "responses": {
                  "2XX": {
                    "description": "Delivered; the body of the answer is ignored."
                  },
                  "default": {
                    "description": "Not delivered: retried later."
                  }
                }
              }
            }
          },
          "components": {
            "schemas": {
              "Money": {
                "type": "object",
                "description": "An amount of money: integer minor units (cents) and an ISO 4217 currency code. Never a floating-point number.",
                "required": [
                  "amount",
                  "currency"
                ],
                "properties": {
                  "amount": {
                    "type": "integer",
                    "format": "int64",
                    "description": "Minor units, e.g. 1999 for 19.99 USD."
                  },
                  "currency": {
                    "type": "string",
                    "pattern": "^[A-Z]{3}$",
                    "description": "ISO 4217 code.",
                    "examples": [
                      "USD"
                    ]
                  }
                },
                "example": {
                  "amount": 1999,
                  "currency": "USD"
                }
              },
              "Problem": {
                "type": "object",
                "description": "An RFC 9457 problem document (`application/problem+json`), the body of every error. Specific problem types may add string members (e.g. readiness checks).",
                "required": [
                  "type",
                  "title",
                  "status",
                  "detail"
                ],
                "properties": {
                  "type": {
                    "type": "string",
                    "format": "uri-reference",
                    "description": "The kind of problem, e.g. `/problems/validation-error`.",
                    "examples": [
                      "/problems/not-found"
                    ]
                  },
                  "title": {
                    "type": "string",
                    "description": "A short summary, the same for every occurrence of `type`."
                  },
                  "status": {
                    "type": "integer",
                    "minimum": 400,
                    "maximum": 599,
                    "description": "The HTTP status code."
                  },
                  "detail": {
                    "type": "string",
                    "description": "What went wrong this time, readable by a person."
                  },
                  "instance": {
                    "type": "string",
                    "description": "The request path the problem occurred on."
                  },
                  "requestId": {
                    "type": "string",
                    "description": "The request's `X-Request-ID`, for finding it in the logs."
                  },
                  "errors": {
                    "type": "array",
                    "description": "The invalid fields (422).",
                    "items": {
                      "$ref": "#/components/schemas/FieldError"
                    }
                  }
                },
                "additionalProperties": {
                  "type": "string"
                },
                "example": {
                  "type": "/problems/validation-error",
                  "title": "Validation failed",
                  "status": 422,
                  "detail": "The request has 1 invalid field.",
                  "instance": "/v1/auth/register",
                  "requestId": "6c1f7a0e-2b9d-4c4e-8f3a-5d6e7f8a9b0c",
                  "errors": [
                    {
                      "field": "password",
                      "message": "must be 8 to 128 characters"
                    }
                  ]
                }
              },
              "FieldError": {
                "type": "object",
                "description": "One invalid field of a request body or query.",
                "required": [
                  "field",
                  "message"
                ],
                "properties": {
                  "field": {
                    "type": "string",
                    "description": "The field's path, e.g. `items[0].quantity`.",
                    "examples": [
                      "shippingAddress.country"
                    ]
                  },
                  "message": {
                    "type": "string",
                    "description": "What is wrong with it."
                  }
                }
              },
              "HealthStatus": {
                "type": "object",
                "required": [
                  "status"
                ],
                "properties": {
                  "status": {
                    "const": "ok"
                  },
                  "checks": {
                    "type": "object",
                    "description": "Readiness only: each dependency checked.",
                    "additionalProperties": {
                      "type": "string",
                      "enum": [
                        "ok",
                        "unavailable"
                      ]
                    }
                  }
                }
              },
              "Status": {
                "type": "object",
                "description": "The health of the whole system.",
                "required": [
                  "status",
                  "services"
                ],
                "properties": {
                  "status": {
                    "type": "string",
                    "enum": [
                      "ok",
                      "degraded"
                    ],
                    "description": "`degraded` when any service is down."
                  },
                  "services": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/ServiceStatus"
                    }
                  }
                }
              },
              "ServiceStatus": {
                "type": "object",
                "required": [
                  "name",
                  "status"
                ],
                "properties": {
                  "name": {
                    "type": "string",
                    "examples": [
                      "order"
                    ],
                    "description": "`api-gateway`, `auth`, `user`, `product`, `order`, `payment` or `notification`."
                  },
                  "status": {
                    "type": "string",
                    "enum": [
                      "up",
                      "down"
                    ],
                    "description": "Up when at least one instance is ready."
                  },
                  "instances": {
                    "type": "array",
                    "description": "Admins only.",
                    "items": {
                      "$ref": "#/components/schemas/InstanceStatus"
                    }
                  }
                }
              },
              "InstanceStatus": {
                "type": "object",
                "required": [
                  "id",
                  "url",
                  "status",
                  "breaker"
                ],
                "properties": {
                  "id": {
                    "type": "string"
                  },
                  "url": {
                    "type": "string",
                    "description": "The instance's base URL."
                  },
                  "status": {
                    "type": "string",
                    "enum": [
                      "up",
                      "down"
                    ]
                  },
                  "breaker": {
                    "type": "string",
                    "enum": [
                      "closed",
                      "open",
                      "half-open"
                    ],
                    "description": "The gateway's circuit breaker for this instance; `closed` when not called yet."
                  }
                }
              },
              "Registration": {
                "type": "object",
                "required": [
                  "email",
                  "password",
                  "name"
                ],
                "properties": {
                  "email": {
                    "type": "string",
                    "format": "email",
                    "maxLength": 254
                  },
                  "password": {
                    "type": "string",
                    "minLength": 8,
                    "maxLength": 128
                  },
                  "name": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 100
                  }
                }
              },
              "Account": {
                "type": "object",
                "required": [
                  "id",
                  "email",
                  "name"
                ],
                "properties": {
                  "id": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "email": {
                    "type": "string",
                    "format": "email",
                    "description": "Trimmed and lower-cased."
                  },
                  "name": {
                    "type": "string"
                  }
                }
              },
              "Login": {
                "type": "object",
                "required": [
                  "email",
                  "password"
                ],
                "properties": {
                  "email": {
                    "type": "string"
                  },
                  "password": {
                    "type": "string"
                  }
                }
              },
              "RefreshRequest": {
                "type": "object",
                "required": [
                  "refreshToken"
                ],
                "properties": {
                  "refreshToken": {
                    "type": "string"
                  }
                }
              },
              "TokenPair": {
                "type": "object",
                "required": [
                  "accessToken",
                  "refreshToken",
                  "tokenType",
                  "expiresIn"
                ],
                "properties": {
                  "accessToken": {
                    "type": "string",
                    "description": "An ES256 JWT; send it as `Authorization: Bearer <token>`."
                  },
                  "refreshToken": {
                    "type": "string",
                    "description": "Opaque; good for one refresh."
                  },
                  "tokenType": {
                    "const": "Bearer"
                  },
                  "expiresIn": {
                    "type": "integer",
                    "description": "Seconds until the access token expires (900 by default)."
                  }
                }
              },
              "JWKS": {
                "type": "object",
                "required": [
                  "keys"
                ],
                "properties": {
                  "keys": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/JWK"
                    }
                  }
                }
              },
              "JWK": {
                "type": "object",
                "description": "A public EC P-256 key (RFC 7517).",
                "required": [
                  "kty",
                  "crv",
                  "x",
                  "y",
                  "kid",
                  "alg",
                  "use"
                ],
                "properties": {
                  "kty": {
                    "const": "EC"
                  },
                  "crv": {
                    "const": "P-256"
                  },
                  "x": {
                    "type": "string",
                    "description": "base64url"
                  },
                  "y": {
                    "type": "string",
                    "description": "base64url"
                  },
                  "kid": {
                    "type": "string"
                  },
                  "alg": {
                    "const": "ES256"
                  },
                  "use": {
                    "const": "sig"
                  }
                }
              },
              "RotatedKey": {
                "type": "object",
                "required": [
                  "kid"
                ],
                "properties": {
                  "kid": {
                    "type": "string",
                    "description": "The id of the key that signs from now on."
                  }
                }
              },
              "Address": {
                "type": "object",
                "description": "A postal address of a profile.",
                "required": [
                  "label",
                  "line1",
                  "city",
                  "postalCode",
                  "country"
                ],
                "properties": {
                  "label": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 50,
                    "examples": [
                      "Home"
                    ]
                  },
                  "line1": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 200
                  },
                  "line2": {
                    "type": "string",
                    "maxLength": 200,
                    "description": "Absent when empty."
                  },
                  "city": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 100
                  },
                  "postalCode": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 20
                  },
                  "country": {
                    "type": "string",
                    "pattern": "^[A-Z]{2}$",
                    "description": "ISO 3166-1 alpha-2.",
                    "examples": [
                      "GB"
                    ]
                  }
                }
              },
              "Profile": {
                "type": "object",
                "description": "A user's profile (phone and addresses are encrypted at rest).",
                "required": [
                  "id",
                  "email",
                  "name",
                  "phone",
                  "addresses",
                  "createdAt"
                ],
                "properties": {
                  "id": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "email": {
                    "type": "string",
                    "format": "email"
                  },
                  "name": {
                    "type": "string"
                  },
                  "phone": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "description": "Null when unset."
                  },
                  "addresses": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Address"
                    }
                  },
                  "createdAt": {
                    "type": "string",
                    "format": "date-time"
                  }
                }
              },
              "ProfileChanges": {
                "type": "object",
                "description": "Absent fields stay as they are.",
                "properties": {
                  "name": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 100
                  },
                  "phone": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "minLength": 5,
                    "maxLength": 20,
                    "pattern": "^\\+?[0-9 ()-]+$",
                    "description": "Digits, spaces, `+` (first only), `-` and parentheses, at least 5 digits; null removes it."
                  },
                  "addresses": {
                    "type": "array",
                    "maxItems": 10,
                    "items": {
                      "$ref": "#/components/schemas/Address"
                    },
                    "description": "Replaces the whole list."
                  }
                }
              },
              "Product": {
                "type": "object",
                "required": [
                  "id",
                  "sku",
                  "name",
                  "description",
                  "category",
                  "price",
                  "available",
                  "onHand",
                  "held"
                ],
                "properties": {
                  "id": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "sku": {
                    "type": "string",
                    "examples": [
                      "BOOK-NIO-01"
                    ]
                  },
                  "name": {
                    "type": "string"
                  },
                  "description": {
                    "type": "string"
                  },
                  "category": {
                    "type": "string",
                    "examples": [
                      "books"
                    ]
                  },
                  "price": {
                    "$ref": "#/components/schemas/Money"
                  },
                  "available": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Sellable stock: `onHand - held`."
                  },
                  "onHand": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Units in stock not yet sold, those held for pending orders included."
                  },
                  "held": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Units held by pending orders' reservations."
                  }
                }
              },
              "NewProduct": {
                "type": "object",
                "required": [
                  "sku",
                  "name",
                  "category",
                  "price"
                ],
                "properties": {
                  "sku": {
                    "type": "string",
                    "pattern": "^[A-Za-z0-9_-]{1,64}$"
                  },
                  "name": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 200
                  },
                  "description": {
                    "type": "string",
                    "maxLength": 5000,
                    "default": ""
                  },
                  "category": {
                    "type": "string",
                    "maxLength": 64,
                    "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$",
                    "description": "A lower-case slug such as `home-office`."
                  },
                  "price": {
                    "$ref": "#/components/schemas/PriceInput"
                  },
                  "available": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 1000000,
                    "default": 0
                  }
                }
              },
              "ProductChanges": {
                "type": "object",
                "description": "Absent fields stay as they are; the same rules as `NewProduct`.",
                "properties": {
                  "sku": {
                    "type": "string",
                    "pattern": "^[A-Za-z0-9_-]{1,64}$"
                  },
                  "name": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 200
                  },
                  "description": {
                    "type": "string",
                    "maxLength": 5000
                  },
                  "category": {
                    "type": "string",
                    "maxLength": 64,
                    "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"
                  },
                  "price": {
                    "$ref": "#/components/schemas/PriceInput"
                  }
                }
              },
              "PriceInput": {
                "allOf": [
                  {
                    "$ref": "#/components/schemas/Money"
                  }
                ],
                "description": "A price: 0 to 10^12 minor units.",
                "properties": {
                  "amount": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 1000000000000
                  }
                }
              },
              "InventoryLevel": {
                "type": "object",
                "description": "A stock count, given once: as `onHand` or as `available` (the same count).",
                "properties": {
                  "onHand": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 1000000,
                    "description": "Units in stock not yet sold, those held for pending orders included."
                  },
                  "available": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 1000000,
                    "description": "The same count as `onHand`, by this route's original field name."
                  }
                },
                "oneOf": [
                  {
                    "required": [
                      "onHand"
                    ]
                  },
                  {
                    "required": [
                      "available"
                    ]
                  }
                ]
              },
              "OrderStatus": {
                "type": "string",
                "enum": [
                  "pending",
                  "confirmed",
                  "cancelled"
                ]
              },
              "CancellationReason": {
                "type": "string",
                "enum": [
                  "out_of_stock",
                  "payment_declined",
                  "payment_failed",
                  "deadline_exceeded",
                  "customer_request"
                ]
              },
              "OrderRequest": {
                "type": "object",
                "required": [
                  "items",
                  "paymentMethodId",
                  "shippingAddress"
                ],
                "properties": {
                  "items": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 50,
                    "description": "Each product at most once.",
                    "items": {
                      "$ref": "#/components/schemas/OrderItem"
                    }
                  },
                  "paymentMethodId": {
                    "type": "string",
                    "format": "uuid",
                    "description": "One of the caller's saved cards."
                  },
                  "shippingAddress": {
                    "$ref": "#/components/schemas/ShippingAddress"
                  }
                }
              },
              "OrderItem": {
                "type": "object",
                "required": [
                  "productId",
                  "quantity"
                ],
                "properties": {
                  "productId": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "quantity": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 1000
                  }
                }
              },
              "ShippingAddress": {
                "type": "object",
                "required": [
                  "line1",
                  "city",
                  "postalCode",
                  "country"
                ],
                "properties": {
                  "label": {
                    "type": "string",
                    "maxLength": 50
                  },
                  "line1": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 200
                  },
                  "line2": {
                    "type": "string",
                    "maxLength": 200
                  },
                  "city": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 100
                  },
                  "postalCode": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 20
                  },
                  "country": {
                    "type": "string",
                    "pattern": "^[A-Z]{2}$",
                    "description": "ISO 3166-1 alpha-2."
                  }
                }
              },
              "OrderLine": {
                "type": "object",
                "description": "A line of an order, priced from the catalog when the order was placed.",
                "required": [
                  "productId",
                  "name",
                  "quantity",
                  "unitPrice"
                ],
                "properties": {
                  "productId": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "name": {
                    "type": "string"
                  },
                  "quantity": {
                    "type": "integer",
                    "minimum": 1
                  },
                  "unitPrice": {
                    "$ref": "#/components/schemas/Money"
                  }
                }
              },
              "Order": {
                "type": "object",
                "required": [
                  "id",
                  "userId",
                  "status",
                  "items",
                  "total",
                  "paymentMethodId",
                  "shippingAddress",
                  "createdAt",
                  "updatedAt",
                  "history"
                ],
                "properties": {
                  "id": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "userId": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "status": {
                    "$ref": "#/components/schemas/OrderStatus"
                  },
                  "items": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/OrderLine"
                    }
                  },
                  "total": {
                    "$ref": "#/components/schemas/Money"
                  },
                  "paymentMethodId": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "shippingAddress": {
                    "$ref": "#/components/schemas/ShippingAddress"
                  },
                  "cancellationReason": {
                    "$ref": "#/components/schemas/CancellationReason",
                    "description": "Present once cancelled."
                  },
                  "createdAt": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "updatedAt": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "history": {
                    "type": "array",
                    "description": "What happened to the order, oldest first.",
                    "items": {
                      "$ref": "#/components/schemas/OrderHistoryEntry"
                    }
                  }
                }
              },
              "OrderHistoryEntry": {
                "type": "object",
                "required": [
                  "type",
                  "at"
                ],
                "properties": {
                  "type": {
                    "type": "string",
                    "enum": [
                      "OrderPlaced",
                      "StockReserved",
                      "PaymentAuthorized",
                      "StockCommitted",
                      "PaymentCaptured",
                      "OrderConfirmed",
                      "CancellationRequested",
                      "PaymentCancelled",
                      "StockReleased",
                      "OrderCancelled"
                    ]
                  },
                  "at": {
                    "type": "string",
                    "format": "date-time"
                  }
                }
              },
              "NewPaymentMethod": {
                "type": "object",
                "required": [
                  "cardNumber",
                  "expMonth",
                  "expYear",
                  "cvc"
                ],
                "properties": {
                  "cardNumber": {
                    "type": "string",
                    "pattern": "^[0-9 -]+$",
                    "description": "12 to 19 digits passing the Luhn check; spaces and dashes are ignored."
                  },
                  "expMonth": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 12
                  },
                  "expYear": {
                    "type": "integer",
                    "minimum": 1000,
                    "maximum": 9999,
                    "description": "Four digits; with `expMonth` not in the past."
                  },
                  "cvc": {
                    "type": "string",
                    "pattern": "^[0-9]{3,4}$",
                    "description": "Checked, never stored."
                  },
                  "holderName": {
                    "type": "string",
                    "maxLength": 100
                  }
                }
              },
              "PaymentMethod": {
                "type": "object",
                "description": "A saved card: never its number.",
                "required": [
                  "id",
                  "brand",
                  "last4",
                  "expMonth",
                  "expYear",
                  "createdAt"
                ],
                "properties": {
                  "id": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "brand": {
                    "type": "string",
                    "enum": [
                      "visa",
                      "mastercard",
                      "amex",
                      "discover",
                      "unknown"
                    ]
                  },
                  "last4": {
                    "type": "string",
                    "pattern": "^[0-9]{4}$"
                  },
                  "expMonth": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 12
                  },
                  "expYear": {
                    "type": "integer"
                  },
                  "holderName": {
                    "type": "string",
                    "description": "Present when one was given."
                  },
                  "createdAt": {
                    "type": "string",
                    "format": "date-time"
                  }
                }
              },
              "Payment": {
                "type": "object",
                "description": "An order's payment.",
                "required": [
                  "id",
                  "orderId",
                  "amount",
                  "status",
                  "createdAt"
                ],
                "properties": {
                  "id": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "orderId": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "amount": {
                    "$ref": "#/components/schemas/Money"
                  },
                  "status": {
                    "type": "string",
                    "enum": [
                      "authorized",
                      "captured",
                      "voided",
                      "refunded",
                      "declined"
                    ]
                  },
                  "declineReason": {
                    "type": "string",
                    "enum": [
                      "card_declined",
                      "insufficient_funds",
                      "invalid_payment_method",
                      "expired_card"
                    ],
                    "description": "Present when `declined`."
                  },
                  "createdAt": {
                    "type": "string",
                    "format": "date-time"
                  }
                }
              },
              "Notification": {
                "type": "object",
                "required": [
                  "id",
                  "type",
                  "subject",
                  "body",
                  "createdAt",
                  "readAt"
                ],
                "properties": {
                  "id": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "type": {
                    "type": "string",
                    "enum": [
                      "user.registered",
                      "order.confirmed",
                      "order.cancelled",
                      "payment.declined"
                    ],
                    "description": "The event that caused it."
                  },
                  "subject": {
                    "type": "string"
                  },
                  "body": {
                    "type": "string"
                  },
                  "createdAt": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "readAt": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "format": "date-time",
                    "description": "Null while unread."
                  }
                }
              },
              "NewWebhook": {
                "type": "object",
                "required": [
                  "url"
                ],
                "properties": {
                  "url": {
                    "type": "string",
                    "format": "uri",
                    "maxLength": 2048,
                    "description": "An absolute http or https URL."
                  }
                }
              },
              "Webhook": {
                "type": "object",
                "description": "A registered webhook, without its secret.",
                "required": [
                  "id",
                  "url",
                  "createdAt"
                ],
                "properties": {
                  "id": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "url": {
                    "type": "string",
                    "format": "uri"
                  },
                  "createdAt": {
                    "type": "string",
                    "format": "date-time"
                  }
                }
              },
              "WebhookCreated": {
                "type": "object",
                "description": "A webhook just registered: the only time its secret is shown.",
                "required": [
                  "id",
                  "url",
                  "secret",
                  "createdAt"
                ],
                "properties": {
                  "id": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "url": {
                    "type": "string",
                    "format": "uri"
                  },
                  "secret": {
                    "type": "string",
                    "pattern": "^[0-9a-f]{64}$",
                    "description": "The HMAC-SHA256 key of `X-Signature`."
                  },
                  "createdAt": {
                    "type": "string",
                    "format": "date-time"
                  }
                }
              },
              "WebhookDelivery": {
                "type": "object",
                "description": "The body POSTed to a webhook: the notification, its owner and the event that caused it.",
                "required": [
                  "id",
                  "type",
                  "subject",
                  "body",
                  "createdAt",
                  "userId",
                  "eventId"
                ],
                "properties": {
                  "id": {
                    "type": "string",
                    "format": "uuid",
                    "description": "The notification's id."
                  },
                  "type": {
                    "type": "string",
                    "examples": [
                      "order.confirmed"
                    ]
                  },
                  "subject": {
                    "type": "string"
                  },
                  "body": {
                    "type": "string"
                  },
                  "createdAt": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "userId": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "eventId": {
                    "type": "string",
                    "format": "uuid"
                  }
                }
              },
              "EventEnvelope": {
                "type": "object",
                "description": "The envelope of every event on the bus (see docs/events.md).",
                "required": [
                  "id",
                  "type",
                  "version",
                  "source",
                  "occurredAt",
                  "subject",
                  "data"
                ],
                "properties": {
                  "id": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "type": {
                    "type": "string",
                    "examples": [
                      "order.confirmed"
                    ]
                  },
                  "version": {
                    "type": "integer",
                    "description": "The payload's schema version."
                  },
                  "source": {
                    "type": "string",
                    "description": "The producing service."
                  },
                  "occurredAt": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "subject": {
                    "type": "string",
                    "description": "The entity: a user, order or product id."
                  },
                  "correlationId": {
                    "type": "string",
                    "description": "The `X-Request-ID` that caused it."
                  },
                  "traceparent": {
                    "type": "string",
                    "description": "W3C trace context of that request."
                  },
                  "data": {
                    "description": "The payload."
                  }
                }
              },
              "DeadLetter": {
                "type": "object",
                "description": "An event a consumer gave up on.",
                "required": [
                  "id",
                  "stream",
                  "entry",
                  "error",
                  "deliveries"
                ],
                "properties": {
                  "id": {
                    "type": "string",
                    "pattern": "^[0-9]+-[0-9]+$",
                    "description": "Its id in the dead-letter stream."
                  },
                  "stream": {
                    "type": "string",
                    "description": "The stream it came from.",
                    "examples": [
                      "events:auth"
                    ]
                  },
                  "entry": {
                    "type": "string",
                    "description": "Its id in that stream."
                  },
                  "error": {
                    "type": "string",
                    "description": "Why handling it failed the last time."
                  },
                  "deliveries": {
                    "type": "integer",
                    "description": "How often it was delivered."
                  },
                  "event": {
                    "$ref": "#/components/schemas/EventEnvelope",
                    "description": "The event, when its envelope could be read."
                  }
                }
              },
              "Redriven": {
                "type": "object",
                "required": [
                  "id",
                  "stream",
                  "entry"
                ],
                "properties": {
                  "id": {
                    "type": "string",
                    "description": "The dead letter's id (now removed)."
                  },
                  "stream": {
                    "type": "string",
                    "description": "The stream the event went back to."
                  },
                  "entry": {
                    "type": "string",
                    "description": "Its new id in that stream."
                  }
                }
              },
              "ProfilePage": {
                "type": "object",
                "description": "A page of profiles. Paged: pass `nextCursor` back as `cursor` for the next page; `nextCursor` is null on the last page.",
                "required": [
                  "items",
                  "nextCursor"
                ],
                "properties": {
                  "items": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Profile"
                    }
                  },
                  "nextCursor": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "description": "The cursor of the next page; null on the last page."
                  }
                }
              },
              "ProductPage": {
                "type": "object",
                "description": "A page of products. Paged: pass `nextCursor` back as `cursor` for the next page; `nextCursor` is null on the last page.",
                "required": [
                  "items",
                  "nextCursor"
                ],
                "properties": {
                  "items": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Product"
                    }
                  },
                  "nextCursor": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "description": "The cursor of the next page; null on the last page."
                  }
                }
              },
              "OrderPage": {
                "type": "object",
                "description": "A page of orders. Paged: pass `nextCursor` back as `cursor` for the next page; `nextCursor` is null on the last page.",
                "required": [
                  "items",
                  "nextCursor"
                ],
                "properties": {
                  "items": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Order"
                    }
                  },
                  "nextCursor": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "description": "The cursor of the next page; null on the last page."
                  }
                }
              },
              "PaymentMethodPage": {
                "type": "object",
                "description": "A page of saved cards. Paged: pass `nextCursor` back as `cursor` for the next page; `nextCursor` is null on the last page.",
                "required": [
                  "items",
                  "nextCursor"
                ],
                "properties": {
                  "items": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/PaymentMethod"
                    }
                  },
                  "nextCursor": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "description": "The cursor of the next page; null on the last page."
                  }
                }
              },
              "PaymentPage": {
                "type": "object",
                "description": "A page of payments. Paged: pass `nextCursor` back as `cursor` for the next page; `nextCursor` is null on the last page.",
                "required": [
                  "items",
                  "nextCursor"
                ],
                "properties": {
                  "items": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Payment"
                    }
                  },
                  "nextCursor": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "description": "The cursor of the next page; null on the last page."
                  }
                }
              },
              "NotificationPage": {
                "type": "object",
                "description": "A page of notifications. Paged: pass `nextCursor` back as `cursor` for the next page; `nextCursor` is null on the last page.",
                "required": [
                  "items",
                  "nextCursor"
                ],
                "properties": {
                  "items": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Notification"
                    }
                  },
                  "nextCursor": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "description": "The cursor of the next page; null on the last page."
                  }
                }
              },
              "WebhookPage": {
                "type": "object",
                "description": "The webhooks. Paged: pass `nextCursor` back as `cursor` for the next page; `nextCursor` is null on the last page.",
                "required": [
                  "items",
                  "nextCursor"
                ],
                "properties": {
                  "items": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Webhook"
                    }
                  },
                  "nextCursor": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "description": "The cursor of the next page; null on the last page."
                  }
                }
              },
              "DeadLetterPage": {
                "type": "object",
                "description": "The dead letters. Paged: pass `nextCursor` back as `cursor` for the next page; `nextCursor` is null on the last page.",
                "required": [
                  "items",
                  "nextCursor"
                ],
                "properties": {
                  "items": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/DeadLetter"
                    }
                  },
                  "nextCursor": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "description": "The cursor of the next page; null on the last page."
                  }
                }
              }
            },
            "responses": {
              "BadRequest": {
                "description": "The request could not be read: malformed JSON, an empty body, a bad header.",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "$ref": "#/components/schemas/Problem"
                    }
                  }
                }
              },
              "Unauthorized": {
                "description": "No access token where one is required, or an invalid or expired one (a token that is sent is always verified, also on public routes), or wrong credentials.",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  },
                  "WWW-Authenticate": {
                    "$ref": "#/components/headers/WWW-Authenticate"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "$ref": "#/components/schemas/Problem"
                    }
                  }
                }
              },
              "Forbidden": {
                "description": "Authenticated, but the route needs the role `admin`.",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "$ref": "#/components/schemas/Problem"
                    }
                  }
                }
              },
              "NotFound": {
                "description": "No such resource, or one the caller may not see.",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "$ref": "#/components/schemas/Problem"
                    }
                  }
                }
              },
              "MethodNotAllowed": {
                "description": "The path exists but not with this method; `Allow` lists the methods it has. Any path of this document called with a method it does not list answers this.",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  },
                  "Allow": {
                    "$ref": "#/components/headers/Allow"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "$ref": "#/components/schemas/Problem"
                    }
                  }
                }
              },
              "Conflict": {
                "description": "The request conflicts with the current state.",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "$ref": "#/components/schemas/Problem"
                    }
                  }
                }
              },
              "ContentTooLarge": {
                "description": "The request body exceeds the configured limit (1 MiB by default).",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "$ref": "#/components/schemas/Problem"
                    }
                  }
                }
              },
              "ValidationFailed": {
                "description": "The request was readable but invalid; `errors` names every invalid field (type `/problems/validation-error`).",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "$ref": "#/components/schemas/Problem"
                    }
                  }
                }
              },
              "TooManyRequests": {
                "description": "Rate limited: wait `Retry-After` seconds.",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  },
                  "Retry-After": {
                    "$ref": "#/components/headers/Retry-After"
                  },
                  "RateLimit-Limit": {
                    "$ref": "#/components/headers/RateLimit-Limit"
                  },
                  "RateLimit-Remaining": {
                    "$ref": "#/components/headers/RateLimit-Remaining"
                  },
                  "RateLimit-Reset": {
                    "$ref": "#/components/headers/RateLimit-Reset"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "$ref": "#/components/schemas/Problem"
                    }
                  }
                }
              },
              "InternalError": {
                "description": "An unexpected error; quote the request id when reporting it.",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "$ref": "#/components/schemas/Problem"
                    }
                  }
                }
              },
              "BadGateway": {
                "description": "The upstream service failed or answered something unusable.",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "$ref": "#/components/schemas/Problem"
                    }
                  }
                }
              },
              "ServiceUnavailable": {
                "description": "The upstream service is unavailable (no ready instance, or its circuit breaker is open), or access tokens cannot be verified right now; try again after `Retry-After`.",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  },
                  "Retry-After": {
                    "$ref": "#/components/headers/Retry-After"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "$ref": "#/components/schemas/Problem"
                    }
                  }
                }
              },
              "GatewayTimeout": {
                "description": "The upstream service did not answer within the request's deadline.",
                "headers": {
                  "X-Request-ID": {
                    "$ref": "#/components/headers/X-Request-ID"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "$ref": "#/components/schemas/Problem"
                    }
                  }
                }
              }
            },
            "parameters": {
              "limit": {
                "name": "limit",
                "in": "query",
                "required": false,
                "description": "Page size (422 outside 1 to 100).",
                "schema": {
                  "type": "integer",
                  "minimum": 1,
                  "maximum": 100,
                  "default": 20
                }
              },
              "cursor": {
                "name": "cursor",
                "in": "query",
                "required": false,
                "description": "The `nextCursor` of the previous page (opaque; 422 when it is not one this list issued).",
                "schema": {
                  "type": "string"
                }
              },
              "X-Request-ID": {
                "name": "X-Request-ID",
                "in": "header",
                "required": false,
                "description": "A caller-chosen request id (1 to 128 characters of `A-Z a-z 0-9 - . _ :`), echoed on the response.",
                "schema": {
                  "type": "string",
                  "maxLength": 128,
                  "pattern": "^[A-Za-z0-9._:-]+$"
                }
              },
              "Idempotency-Key": {
                "name": "Idempotency-Key",
                "in": "header",
                "required": false,
                "description": "Makes the request idempotent per user: the same key and body again answer the same order; the same key with another body is a 409. 1 to 200 characters (400 otherwise).",
                "schema": {
                  "type": "string",
                  "minLength": 1,
                  "maxLength": 200
                }
              },
              "deadLetterId": {
                "name": "id",
                "in": "path",
                "required": true,
                "description": "The dead letter's id (a Redis stream id).",
                "schema": {
                  "type": "string",
                  "pattern": "^[0-9]+-[0-9]+$"
                },
                "example": "1732574400000-0"
              }
            },
            "headers": {
              "X-Request-ID": {
                "description": "The request's id: the caller's own (1 to 128 characters of `A-Z a-z 0-9 - . _ :`) or a generated one. Every response carries it; it is propagated to every service the request touches and appears in their logs.",
                "schema": {
                  "type": "string"
                },
                "example": "6c1f7a0e-2b9d-4c4e-8f3a-5d6e7f8a9b0c"
              },
              "Idempotency-Key": {
                "description": "The key that made this request idempotent (`POST /v1/orders`).",
                "schema": {
                  "type": "string",
                  "minLength": 1,
                  "maxLength": 200
                }
              },
              "RateLimit-Limit": {
                "description": "The size (burst) of the caller's token bucket for this route class.",
                "schema": {
                  "type": "integer"
                }
              },
              "RateLimit-Remaining": {
                "description": "Requests left in the bucket.",
                "schema": {
                  "type": "integer"
                }
              },
              "RateLimit-Reset": {
                "description": "Seconds until the bucket is full again (after a 429: until a request is allowed).",
                "schema": {
                  "type": "integer"
                }
              },
              "Retry-After": {
                "description": "Seconds to wait before trying again.",
                "schema": {
                  "type": "integer",
                  "minimum": 1
                }
              },
              "WWW-Authenticate": {
                "description": "`Bearer`, or `Bearer error=\"invalid_token\"` for a token that was sent and rejected (RFC 6750).",
                "schema": {
                  "type": "string"
                },
                "example": "Bearer"
              },
              "Allow": {
                "description": "The methods the path allows.",
                "schema": {
                  "type": "string"
                },
                "example": "GET, POST"
              },
              "Location": {
                "description": "The URL path of the created or accepted resource.",
                "schema": {
                  "type": "string"
                },
                "example": "/v1/orders/8d1e0c44-1f1e-4d7a-9a4e-0c7e2b1d3f5a"
              },
              "Cache-Control": {
                "description": "Caching rules of the response.",
                "schema": {
                  "type": "string"
                },
                "example": "public, max-age=300"
              }
            },
            "securitySchemes": {
              "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": "An ES256 access token from `POST /v1/auth/login` or `/v1/auth/refresh` (15 minutes); the keys are at `GET /v1/auth/jwks`."
              }
            }
          }
        }
        """#
}

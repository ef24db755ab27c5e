package org.ldirector.ipvs;

import java.util.Objects;

/**
 * One change to the IPVS table. A batch of these is applied in order, pipelined, each acked on its
 * own.
 */
public sealed interface IpvsOp {
    ServiceKey service();

    /**
     * An op that carries a whole virtual service (an add or an update); its key is the service's.
     */
    sealed interface WholeService extends IpvsOp {
        VirtualService virtualService();

        @Override
        default ServiceKey service() {
            return virtualService().key();
        }
    }

    record AddService(VirtualService virtualService) implements WholeService {
        public AddService {
            Objects.requireNonNull(virtualService);
        }
    }

    record UpdateService(VirtualService virtualService) implements WholeService {
        public UpdateService {
            Objects.requireNonNull(virtualService);
        }
    }

    record DeleteService(ServiceKey service) implements IpvsOp {
        public DeleteService {
            Objects.requireNonNull(service);
        }
    }

    record AddDestination(ServiceKey service, Destination destination) implements IpvsOp {
        public AddDestination {
            Objects.requireNonNull(service);
            Objects.requireNonNull(destination);
        }
    }

    record UpdateDestination(ServiceKey service, Destination destination) implements IpvsOp {
        public UpdateDestination {
            Objects.requireNonNull(service);
            Objects.requireNonNull(destination);
        }
    }

    record DeleteDestination(ServiceKey service, Destination.DestinationKey destination)
            implements IpvsOp {
        public DeleteDestination {
            Objects.requireNonNull(service);
            Objects.requireNonNull(destination);
        }
    }
}
